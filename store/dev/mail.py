"""Development mail catcher: `python -m store.dev.mail` (started by `make run`).

A local SMTP server (aiosmtpd) on MAIL_SERVER:MAIL_PORT, 127.0.0.1:8025 by default. It
delivers nothing: it prints who each email is for and its subject, and keeps the whole
message as a .eml file under instance/mail/ (open it with any mail program).
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

from store.config import ROOT, load_config

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class MailCatcher:
    """aiosmtpd handler: print a line per email and write it to a folder."""

    def __init__(self, folder: Path, out=sys.stdout):
        self.folder = folder
        self.out = out
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        subject = str(message.get("Subject", "(no subject)"))
        with self.lock:
            self.count += 1
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            slug = re.sub(r"[^A-Za-z0-9]+", "-", subject).strip("-")[:50] or "message"
            path = self.folder / f"{stamp}-{self.count:04d}-{slug}.eml"
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(envelope.content)
        print(f"[mail] to {', '.join(envelope.rcpt_tos)}: {subject}\n       saved {path}",
              file=self.out, flush=True)
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> int:
    """Run the catcher until Ctrl+C or SIGTERM."""
    from aiosmtpd.controller import Controller

    config = load_config()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=config["MAIL_SERVER"])
    parser.add_argument("--port", type=int, default=config["MAIL_PORT"])
    parser.add_argument("--folder", type=Path, default=ROOT / "instance" / "mail")
    args = parser.parse_args(argv)
    if args.host not in LOCAL_HOSTS:
        print(f"[mail] MAIL_SERVER is {args.host}: real mail goes there, no catcher started.")
        return 0
    handler = MailCatcher(args.folder)
    controller = Controller(handler, hostname=args.host, port=args.port)
    try:
        controller.start()
    except (OSError, RuntimeError) as exc:
        print(f"[mail] cannot listen on {args.host}:{args.port} ({exc}); is another mail "
              "catcher running?", file=sys.stderr)
        return 1
    print(f"[mail] catching mail on {args.host}:{args.port}; copies go to {args.folder}",
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
