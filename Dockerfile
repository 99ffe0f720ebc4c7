# Relay's container image: built from the sources, run as a non-root user on a JRE.
#   docker build -t relay .
#   docker run -p 8080:8080 -e WS_JWT_SECRET=$(head -c 32 /dev/urandom | base64) relay
# Every setting is a WS_* variable (docs/configuration.md), or mount a file and pass it:
#   docker run -v $PWD/relay.yaml:/etc/relay/relay.yaml:ro relay --config /etc/relay/relay.yaml

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -q -pl server -am package -DskipTests

FROM eclipse-temurin:21-jre
# curl for the HEALTHCHECK; nothing else is added to the base image.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/relay --create-home relay \
    && mkdir -p /etc/relay /var/log/relay && chown relay /var/log/relay
COPY --from=build /src/server/target/relay-server.jar /opt/relay/relay-server.jar
USER relay
WORKDIR /var/lib/relay
ENV WS_DATA_DIR=/var/lib/relay/data \
    WS_LOG_DIR=/var/log/relay \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:G1PeriodicGCInterval=30000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:${WS_PORT:-8080}/health/live || exit 1
# Exec form: the JVM is PID 1 and gets SIGTERM itself, so shutdown_timeout's graceful close runs.
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/relay/relay-server.jar"]
CMD []
