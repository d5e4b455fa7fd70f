"""The committed contract at openapi/openapi.json is rendered from the code by this function."""

import json

from api.config import Settings


def render() -> str:
    from api.main import create_app

    # A throwaway app: rendering needs no database and no real secret.
    app = create_app(Settings(_env_file=None, database_url="sqlite:///:memory:"))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
