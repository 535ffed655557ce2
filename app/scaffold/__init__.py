"""`keel new-domain NAME`: writes a new domain in the house style, from templates kept as data.

`spec.py` checks the request (names, fields) and refuses before anything is written;
`fields.py` says what each field type becomes in the model, the schemas, the migration and
the tests; `writer.py` fills the templates (`templates/*.tmpl`, `string.Template`) and writes
the files, the domain's line in `INSTALLED_DOMAINS`, its compiled catalogs and docs/errors.md.
"""
