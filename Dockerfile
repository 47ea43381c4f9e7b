# The graphsvc API. Built by docker-compose.yml next to a neo4j:5 service.
# Stage 1 builds the wheel, the same artefact `pip install .` and CI's wheel smoke test install;
# stage 2 installs only that wheel, so the image holds what a user gets, not the source tree.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY graphsvc ./graphsvc
COPY loaders ./loaders
COPY visualisations ./visualisations
RUN pip wheel --no-deps -w /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY --from=build /dist /dist
RUN pip install /dist/graphsvc-*.whl && rm -rf /dist && useradd --create-home graphsvc \
 && mkdir /home/graphsvc/auth && chown graphsvc: /home/graphsvc/auth
# /home/graphsvc/auth: the auth database (keys, sessions, audit log); docker-compose puts a
# volume there, which takes this folder's owner when it is first made.
USER graphsvc
WORKDIR /home/graphsvc
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)" || exit 1
CMD ["graphsvc", "serve", "--host", "0.0.0.0", "--port", "8000"]
