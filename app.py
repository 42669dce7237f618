"""Entry point: `python app.py` prepares and serves the shop; `flask run` and
`gunicorn app:app` (see gunicorn.conf.py) serve it.

`python app.py` is the brief's own workflow (`pipenv install`, `python app.py`): it builds the
stylesheets and translations when missing, creates or upgrades the database, seeds the demo
shop when it is empty (development only) and serves http://localhost:5000 (`PORT` overrides).
"""

import os

from store import create_app
from store.cli import print_demo_accounts
from store.dev.prepare import prepare

app = create_app()

if __name__ == "__main__":
    prepare(app)
    port = int(os.environ.get("PORT", "5000"))
    if app.config.get("STORE_DEMO_ACCOUNTS"):
        with app.app_context():
            print_demo_accounts()
    print(f"SimpleStore on http://localhost:{port}  (back office: /admin/)", flush=True)
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)
