FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext fonts-dejavu-core \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# compilemessages and collectstatic need settings but no database or secret of the deployment.
RUN SECRET_KEY=build-only DEBUG=false python manage.py compilemessages --ignore=.venv -v0 \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput -v0
EXPOSE 8000
# gunicorn.conf.py: bind, workers (WEB_CONCURRENCY) and an access log without query strings.
CMD ["gunicorn", "volunteer_net.wsgi:application", "--config", "gunicorn.conf.py"]
