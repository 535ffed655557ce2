"""The admin panel over HTTP: who gets in, what it shows, and that its writes obey the rules."""

import re

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import event, select

from app.domains.accounts.models import AuthSession, User
from tests.fixtures.accounts import PASSWORD, PeopleFactory


async def panel_login(client: AsyncClient, email: str, password: str = PASSWORD) -> Response:
    return await client.post("/admin/login", data={"username": email, "password": password})


async def logged_in_panel(people: PeopleFactory, email: str) -> AsyncClient:
    client = people.new_client()
    assert (await panel_login(client, email)).status_code == 302
    return client


async def user(app: FastAPI, email: str) -> User:
    async with app.state.runtime.session_factory() as session:
        found = await session.scalar(select(User).where(User.email == email))
        assert found is not None
        return found


async def test_an_admin_logs_in_with_a_strict_http_only_cookie(people: PeopleFactory) -> None:
    admin = await people.admin()
    client = people.new_client()

    before = await client.get("/admin/")
    login = await panel_login(client, admin.email)
    after = await client.get("/admin/user/list")

    assert before.status_code == 302
    assert before.headers["location"].endswith("/admin/login")
    assert login.status_code == 302
    cookie = login.headers["set-cookie"].lower()
    assert cookie.startswith("keel_admin=")
    for flag in ("httponly", "samesite=strict", "secure", "path=/admin"):
        assert flag in cookie
    assert after.status_code == 200
    assert admin.email in after.text


async def test_members_and_viewers_are_refused_clearly_and_left_without_a_session(
    app: FastAPI, people: PeopleFactory
) -> None:
    member = await people.member("mem@example.com")
    viewer = await people.member("vic@example.com", role="viewer")

    answers = [await panel_login(people.new_client(), person.email) for person in (member, viewer)]

    for answer in answers:
        assert answer.status_code == 403
        assert "may not use the admin panel" in answer.text
        assert "keel_admin" not in answer.headers.get("set-cookie", "")
    async with app.state.runtime.session_factory() as session:
        panel_sessions = (
            await session.scalars(select(AuthSession).where(AuthSession.revoked_at.is_(None)))
        ).all()
    assert {s.user_id for s in panel_sessions} == {member.id, viewer.id}  # only their API logins


async def test_a_wrong_password_is_refused(people: PeopleFactory) -> None:
    admin = await people.admin()

    answer = await panel_login(people.new_client(), admin.email, "not the password")

    assert answer.status_code == 401
    assert "Wrong e-mail or password" in answer.text


async def test_user_pages_never_show_password_hashes(people: PeopleFactory) -> None:
    admin = await people.admin()
    await people.member("mem@example.com")
    panel = await logged_in_panel(people, admin.email)

    pages = [
        await panel.get("/admin/user/list"),
        await panel.get(f"/admin/user/details/{admin.id}"),
        await panel.get(f"/admin/user/edit/{admin.id}"),
        await panel.get("/admin/user/export/csv"),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert "mem@example.com" in pages[0].text
    assert not any("argon2" in page.text or "password_hash" in page.text for page in pages)


async def test_deactivating_a_member_in_the_panel_ends_their_access(
    app: FastAPI, people: PeopleFactory
) -> None:
    admin = await people.admin()
    member = await people.member("mem@example.com")
    panel = await logged_in_panel(people, admin.email)

    saved = await panel.post(f"/admin/user/edit/{member.id}", data={"role": "member"})  # is_active unticked

    assert saved.status_code == 302
    assert (await user(app, member.email)).is_active is False
    assert (await member.client.get("/api/v1/users/me")).status_code == 401  # their tokens stop at once


async def test_the_panel_cannot_demote_the_last_admin(app: FastAPI, people: PeopleFactory) -> None:
    admin = await people.admin()
    panel = await logged_in_panel(people, admin.email)

    refused = await panel.post(f"/admin/user/edit/{admin.id}", data={"role": "member", "is_active": "y"})
    delete = await panel.delete(f"/admin/user/delete?pks={admin.id}")

    assert refused.status_code == 400
    assert "last" in refused.text.lower()
    assert "error=" in delete.text
    assert (await user(app, admin.email)).role == "admin"


async def test_logging_out_everywhere_ends_the_panel_session_too(
    people: PeopleFactory,
) -> None:
    first = await people.admin("first@example.com")
    second = await people.admin("second@example.com")
    first_panel = await logged_in_panel(people, first.email)
    second_panel = await logged_in_panel(people, second.email)

    await first.client.post("/api/v1/auth/logout-all")
    after_logout_all = await first_panel.get("/admin/user/list")

    assert after_logout_all.status_code == 302
    assert after_logout_all.headers["location"].endswith("/admin/login")
    assert (await second_panel.get("/admin/user/list")).status_code == 200  # others are untouched


async def test_deactivating_an_admin_ends_their_panel_session(people: PeopleFactory) -> None:
    first = await people.admin("first@example.com")
    second = await people.admin("second@example.com")
    second_panel = await logged_in_panel(people, second.email)

    changed = await first.client.patch(f"/api/v1/users/{second.id}", json={"is_active": False})

    assert changed.status_code == 200
    assert (await second_panel.get("/admin/user/list")).status_code == 302


async def test_the_session_revoke_action_and_logout_end_sessions(app: FastAPI, people: PeopleFactory) -> None:
    admin = await people.admin()
    member = await people.member("mem@example.com")
    panel = await logged_in_panel(people, admin.email)

    [member_session] = (await member.client.get("/api/v1/auth/sessions")).json()
    revoke = await panel.get(f"/admin/auth-session/action/revoke?pks={member_session['id']}")
    logout = await panel.get("/admin/logout")

    assert revoke.status_code == 302
    assert (await member.client.get("/api/v1/users/me")).status_code == 401
    assert logout.status_code == 302
    assert (await panel.get("/admin/user/list")).status_code == 302
    async with app.state.runtime.session_factory() as session:
        live = (await session.scalars(select(AuthSession).where(AuthSession.revoked_at.is_(None)))).all()
    assert [s.user_id for s in live] == [admin.id]  # only the admin's API login remains


async def test_panel_pages_use_local_assets_only(people: PeopleFactory) -> None:
    admin = await people.admin()
    panel = await logged_in_panel(people, admin.email)

    pages = [await people.new_client().get("/admin/login"), await panel.get("/admin/user/list")]

    for page in pages:
        assets = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
        assert assets
        assert all(asset.startswith(("/", "https://test/")) for asset in assets), assets


async def test_a_panel_login_posted_by_another_site_is_refused_without_a_cookie(
    people: PeopleFactory,
) -> None:
    admin = await people.admin()

    answers = [
        await people.new_client().post(
            "/admin/login", data={"username": admin.email, "password": PASSWORD}, headers=headers
        )
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"})
    ]
    own_page = await panel_login(people.new_client(), admin.email)

    for answer in answers:
        assert answer.status_code == 403
        assert "another site" in answer.text
        assert "keel_admin" not in answer.headers.get("set-cookie", "")
    assert own_page.status_code == 302


async def an_admins_panel_beside_a_member(people: PeopleFactory) -> tuple[AsyncClient, str]:
    """The panel of an admin (whose e-mail comes with it), and a member with a session."""
    admin = await people.admin()
    await people.member("mem@example.com")
    return await logged_in_panel(people, admin.email), admin.email


async def test_the_front_page_shows_counts_and_the_latest_sign_ins(people: PeopleFactory) -> None:
    panel, _ = await an_admins_panel_beside_a_member(people)

    page = await panel.get("/admin/")

    assert page.status_code == 200
    assert re.search(r'data-count="user">\s*2\s*<', page.text)  # the admin and the member
    assert re.search(r'data-count="auth-session">\s*3\s*<', page.text)  # their API logins and the panel's
    assert 'id="recent-auth-session"' in page.text
    assert "mem@example.com" in page.text  # a sign-in, named by its e-mail
    assert 'id="recent-job"' in page.text  # the installed jobs domain's latest jobs


async def test_the_login_asks_for_the_e_mail(people: PeopleFactory) -> None:
    page = await people.new_client().get("/admin/login")

    assert re.search(r"<label[^>]*>E-mail</label>", page.text)
    assert 'type="email"' in page.text
    assert "Username" not in page.text


async def test_the_role_is_chosen_from_the_roles(people: PeopleFactory) -> None:
    admin = await people.admin()
    panel = await logged_in_panel(people, admin.email)

    page = await panel.get(f"/admin/user/edit/{admin.id}")

    select = re.search(r'<select[^>]*name="role".*?</select>', page.text, re.DOTALL)
    assert select is not None
    assert re.findall(r'<option[^>]*value="(\w+)"', select.group(0)) == ["admin", "member", "viewer"]


async def test_sessions_are_listed_with_e_mails_and_short_times(people: PeopleFactory) -> None:
    panel, admin_email = await an_admins_panel_beside_a_member(people)

    page = await panel.get("/admin/auth-session/list")

    assert page.status_code == 200
    assert "mem@example.com" in page.text
    assert admin_email in page.text
    assert re.search(r"<time [^>]*>\d{4}-\d\d-\d\d \d\d:\d\d</time>", page.text)  # to the minute


async def test_the_sessions_list_and_the_front_page_cost_the_same_queries_for_more_sessions(
    app: FastAPI, people: PeopleFactory
) -> None:
    admin = await people.admin()
    panel = await logged_in_panel(people, admin.email)
    statements: list[str] = []

    def count_statement(*args: object) -> None:
        statements.append(str(args[2]))

    async def queries_for(path: str) -> int:
        statements.clear()
        assert (await panel.get(path)).status_code == 200
        return len(statements)

    engine = app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        few = [await queries_for(path) for path in ("/admin/auth-session/list", "/admin/")]
        for n in range(4):
            await people.member(f"m{n}@example.com")  # each with a session of their own
        many = [await queries_for(path) for path in ("/admin/auth-session/list", "/admin/")]
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)

    assert many == few  # the e-mails come with the sessions, not one query each
