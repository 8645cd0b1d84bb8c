FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=trialoog.settings.production
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic loads the production settings, which refuse to start without these; they are thrown away.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    OUTBOX_KEY="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    SITE_URL="https://build.invalid" SECURITY_CONTACT="mailto:security@build.invalid" \
    python manage.py collectstatic --noinput \
 && useradd --system --home /app trialoog
USER trialoog
EXPOSE 8000
