from httpx import AsyncClient


async def test_openapi_shows_both_security_schemes_and_the_error_codes(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    schemes = schema["components"]["securitySchemes"]
    assert any(
        s["type"] == "oauth2" and s["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
        for s in schemes.values()
    )
    assert any(
        s["type"] == "apiKey" and s["in"] == "cookie" and s["name"] == "access_token"
        for s in schemes.values()
    )
    me = schema["paths"]["/api/v1/users/me"]["get"]
    assert len(me["security"]) == 2
    assert "`session_revoked`" in me["responses"]["401"]["description"]
    login = schema["paths"]["/api/v1/auth/login"]["post"]
    assert set(login["requestBody"]["content"]) == {"application/json"}  # one body type per operation
    assert "`too_many_requests`" in login["responses"]["429"]["description"]
    assert "`cross_site_request`" in login["responses"]["403"]["description"]
    token = schema["paths"]["/api/v1/auth/token"]["post"]
    assert set(token["requestBody"]["content"]) == {"application/x-www-form-urlencoded"}
