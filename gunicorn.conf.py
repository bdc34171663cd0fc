"""gunicorn settings for campwiki: ``gunicorn wsgi:app`` reads this file by itself.

Every open page holds a live stream (Server-Sent Events) for as long as it is open. With
threaded workers each stream holds a thread, so a few open tabs starve every other
request; gevent workers hold each stream in a greenlet, and one worker serves thousands.
"""

import os

# gunicorn's own convention: with PORT set, listen on every interface at that port.
_port = os.environ.get("PORT")
bind = os.environ.get("GUNICORN_BIND") or (f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
# Simultaneous connections per worker, open live streams included.
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "2000"))
# gunicorn also waits this long for a new connection's first request: when a thousand
# browsers reconnect at once after a restart, the default 2 s turns some of them away.
keepalive = 10
# A restart waits this long for open streams; browsers then reconnect with Last-Event-ID.
graceful_timeout = 5
# gunicorn 27 opens ~/.gunicorn/gunicorn.ctl by default, one path for every instance on
# the machine; campwiki does not use it.
control_socket_disable = True
