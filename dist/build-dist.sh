#!/usr/bin/env bash
# Builds relay-<version>-linux-x64.tar.gz: a jlink-trimmed runtime, the server jar, bin/relay, conf/relay.yaml and
# systemd/relay.service. Run by Maven's package phase (dist/pom.xml) with the JDK that runs the build.
#   build-dist.sh VERSION JAVA_HOME SERVER_JAR OUTPUT_DIR
set -euo pipefail
version=$1 java_home=$2 server_jar=$3 out=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
name="relay-$version"
stage="$out/stage/$name"
rm -rf "$out/stage" && mkdir -p "$stage/lib" "$stage/conf"

# The JDK modules the server and its libraries use. Netty needs jdk.unsupported; the JDK's HttpClient (JWKS, alert
# and webhook calls) java.net.http; JDBC java.sql; Micrometer's JVM and process metrics java.management and
# jdk.management; Logback's configuration java.xml; SnakeYAML and image decoding java.desktop; TLS with EC keys
# jdk.crypto.ec; DNS names for Redis and NATS jdk.naming.dns; JFR for profiling a live server. DistributionIT
# starts the result and uses each path, so a missing module fails the build.
modules=java.base,java.logging,java.naming,java.net.http,java.sql,java.management,jdk.management,java.xml,\
java.desktop,java.security.jgss,java.security.sasl,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns,jdk.jfr,\
jdk.management.jfr,jdk.zipfs
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --output "$stage/runtime"

cp "$server_jar" "$stage/lib/relay-server.jar"
cp "$root/scripts/jvm-defaults.sh" "$stage/lib/"
cp -r "$here/src/main/dist/bin" "$here/src/main/dist/systemd" "$stage/"
chmod 755 "$stage/bin/relay"
cp "$root/LICENSE" "$root/README.md" "$stage/"
# Every key with its default and meaning, from the server itself, so the file cannot fall behind the code.
"$stage/bin/relay" defaultconfig > "$stage/conf/relay.yaml"

tar -czf "$out/$name-linux-x64.tar.gz" -C "$out/stage" "$name"
echo "dist: $out/$name-linux-x64.tar.gz ($(du -h "$out/$name-linux-x64.tar.gz" | cut -f1))"
