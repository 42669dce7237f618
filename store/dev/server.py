"""`make run`: the development server with a local mail catcher and the outbox worker."""

import os
import signal
import subprocess
import sys

from store.cli import print_demo_accounts
from store.config import ROOT


def main() -> None:
    """Start the mail catcher and outbox worker beside the app; stop them with it."""
    port = os.environ.get("PORT", "5000")
    env = dict(os.environ)
    children = []
    if env.get("STORE_DEV_SMTP", "1") not in ("0", "false", "no"):
        children.append(subprocess.Popen([sys.executable, "-m", "store.dev.mail"], cwd=ROOT,
                                          env=env))
    children.append(subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "outbox", "worker", "--interval", "5"],
        cwd=ROOT, env=env))

    from app import app
    with app.app_context():
        if app.config.get("STORE_DEMO_ACCOUNTS"):
            print_demo_accounts()
    print(f"SimpleStore on http://127.0.0.1:{port}  (back office: /admin/)", flush=True)
    try:
        app.run(host="127.0.0.1", port=int(port), debug=False, use_reloader=False)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    main()
