"""gunicorn settings for the web container (Dockerfile, docker-compose.yml): `gunicorn -c gunicorn.conf.py`.

The access log keeps method, path, status, size, user agent and duration, and leaves out what
would make it a store of personal data or of keys: query strings (roster and API searches carry
phone numbers and IINs), the Referer (it carries the previous page's query), and the tokens in
password-reset and activation links (see volunteer_net/gunicorn_logging.py).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
logger_class = "volunteer_net.gunicorn_logging.AccessLogger"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s "%(a)s" %(L)ss'
