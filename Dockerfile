# newsflow's production image: the official Airflow image at the pinned version, with
# newsflow's pinned requirements installed at build time (the way the Airflow docs recommend
# extending the image; _PIP_ADDITIONAL_REQUIREMENTS in docker-compose.yml is only the
# quick-try path) and the files tasks read copied to one fixed NEWSFLOW_HOME.
# Keep the tag in sync with apache-airflow in requirements.txt (tests/deploy checks it).
# The slim variant: Airflow core without the ~80 preinstalled providers, whose own pins could
# disagree with newsflow's full freeze (constraints.txt); requirements.txt adds the Celery
# provider, psycopg2 and asyncpg that this deployment uses.
FROM apache/airflow:slim-3.3.2-python3.11

# Airflow reads DAGs and plugins from NEWSFLOW_HOME; the plugins folder is on PYTHONPATH too,
# so `python -m newsflow ...` works in any container shell, not only inside Airflow.
ENV NEWSFLOW_HOME=/opt/newsflow \
    PYTHONPATH=/opt/newsflow/plugins \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/newsflow/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/newsflow/plugins \
    GX_ANALYTICS_ENABLED=false

# Requirements first, so that editing code does not reinstall them.  requirements.txt pulls in
# constraints.txt (-c), the full freeze; naming apache-airflow keeps pip from moving Airflow.
# The spaCy model is one of the requirements: nothing is downloaded when tasks run.
COPY requirements.txt constraints.txt /opt/newsflow/
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/newsflow/requirements.txt

# Code and configuration stay owned by root: the airflow user reads them and cannot change them.
COPY newsflow.yaml /opt/newsflow/newsflow.yaml
COPY config /opt/newsflow/config
COPY sql /opt/newsflow/sql
COPY expectations /opt/newsflow/expectations
COPY deploy /opt/newsflow/deploy
COPY plugins /opt/newsflow/plugins
COPY dags /opt/newsflow/dags

# The only place newsflow writes (warehouse, run folders, Data Docs, reports): owned by the
# airflow user, group 0 writable like the rest of the image for an arbitrary AIRFLOW_UID.
USER root
RUN install -d -o airflow -g 0 -m 775 /opt/newsflow/warehouse
USER airflow
