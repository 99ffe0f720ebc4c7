package dev.relay.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigErrorsTest {
    @TempDir
    Path dir;

    private static RelayConfig withOverride(String key, String value) {
        return ConfigLoader.load(null, Map.of(), Map.of(key, value));
    }

    private static ConfigException failure(Runnable load) {
        try {
            load.run();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).as("one line").doesNotContain("\n");
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65535", "8080"})
    void portsInRangeAreAccepted(String port) {
        assertThat(withOverride("port", port).server().port()).isEqualTo(Integer.parseInt(port));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "abc", "80.5", "", "99999999999999999999"})
    void portsOutOfRangeAreRefused(String port) {
        assertThatThrownBy(() -> withOverride("port", port))
                .isInstanceOf(ConfigException.class)
                .hasMessage("websocket.port = \"" + port + "\" (from command line): expected an integer between 0 and"
                        + " 65535");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://cache:6379/2", "rediss://user:pw@cache:6380",
            "redis-sentinel://s1:26379,s2:26379,s3:26379/0#relay", "redis-sentinel://pw@s1:26379#relay",
            "redis-cluster://h1:7000,h2:7001", "rediss-cluster://user:pw@h1:7000"})
    void redisUrlsOfEveryTopologyAreAccepted(String url) {
        assertThat(withOverride("redis_url", url).cluster().redisUrl()).hasToString(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://", "redis://h1:7000,h2:7001", "redis-cluster://h1:7000,,h2:7001",
            "redis-cluster://", "http://cache:6379"})
    void redisUrlsWithoutHostsOrOfAnotherKindAreRefused(String url) {
        assertThatThrownBy(() -> withOverride("redis_url", url))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("websocket.redis_url = \"" + url + "\" (from command line): expected a URL");
    }

    @Test
    void waitingForReplicasIsForOneMasterNotARedisCluster() {
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("redis_wait_replicas", "1",
                "redis_url", "redis-sentinel://s1:26379,s2:26379#relay")).cluster().redisWaitReplicas()).isEqualTo(1);
        assertThat(failure(() -> ConfigLoader.load(null, Map.of(), Map.of("redis_wait_replicas", "1",
                "redis_url", "redis-cluster://h1:7000,h2:7001"))).getMessage())
                .startsWith("websocket.redis_wait_replicas = \"1\" (from command line): expected 0 with a Redis Cluster");
        assertThatThrownBy(() -> withOverride("redis_wait_replicas", "17")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> withOverride("redis_wait_replicas", "-1")).isInstanceOf(ConfigException.class);
    }

    @Test
    void maxConnectionsMustBeAtLeastOne() {
        assertThat(withOverride("max_connections", "1").server().maxConnections()).isEqualTo(1);
        assertThatThrownBy(() -> withOverride("max_connections", "0"))
                .hasMessage("websocket.max_connections = \"0\" (from command line): expected an integer of at least 1");
    }

    @ParameterizedTest
    @CsvSource({"ping_period, 60", "pong_wait, abc", "write_wait, -5s", "user_status_timeout, 0s"})
    void badDurationsAreRefused(String key, String value) {
        assertThatThrownBy(() -> withOverride(key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("websocket." + key + " = \"" + value + "\" (from command line): expected a"
                        + " duration");
    }

    @ParameterizedTest
    @CsvSource({"max_message_size, 0", "read_buffer_size, -1", "write_buffer_size, 12XB", "max_message_size, 2GiB"})
    void badSizesAreRefused(String key, String value) {
        assertThatThrownBy(() -> withOverride(key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("websocket." + key + " = \"" + value + "\" (from command line): expected a"
                        + " size");
    }

    @Test
    void badBooleanIsRefused() {
        assertThatThrownBy(() -> withOverride("enable_compression", "maybe"))
                .hasMessage("websocket.enable_compression = \"maybe\" (from command line): expected true or false");
    }

    @Test
    void jwtSecretNeeds32Bytes() {
        String ok = "a".repeat(32);
        assertThat(withOverride("jwt_secret", ok).security().jwtSecret()).contains(ok);

        ConfigException e = failure(() -> withOverride("jwt_secret", "a".repeat(31)));

        assertThat(e.getMessage())
                .isEqualTo("websocket.jwt_secret = <hidden, 31 bytes> (from command line): expected at least 32"
                        + " bytes (UTF-8), because HS256 needs a 256-bit key")
                .doesNotContain("a".repeat(31));
    }

    @Test
    void jwtSecretIsMeasuredInUtf8Bytes() {
        // 11 CJK characters are 33 bytes in UTF-8: long enough, though only 11 characters.
        String cjk = "密".repeat(11);
        assertThat(withOverride("jwt_secret", cjk).security().jwtSecret()).contains(cjk);
        assertThatThrownBy(() -> withOverride("jwt_secret", "密".repeat(10))).isInstanceOf(ConfigException.class);
    }

    @Test
    void invalidDefaultRoomIsRefused() {
        ConfigException e = failure(() -> withOverride("default_rooms", "general,no spaces"));

        assertThat(e.getMessage())
                .startsWith("websocket.default_rooms = \"general,no spaces\" (from command line): expected a list of"
                        + " room ids")
                .contains("\"no spaces\" is not a valid room id");
    }

    @Test
    void duplicateDefaultRoomIsRefused() {
        assertThatThrownBy(() -> withOverride("default_rooms", "general,support,general"))
                .hasMessageContaining("\"general\" is listed twice");
    }

    @Test
    void defaultRoomsMustFitUnderTheRoomLimit() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("WS_MAX_ROOMS", "2"), Map.of()))
                .hasMessage("websocket.max_rooms = \"2\" (from WS_MAX_ROOMS): expected at least 3, the number of"
                        + " default_rooms, which count toward the room limit");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("default_rooms", "a,b,c,d", "max_rooms", "3")))
                .hasMessageStartingWith("websocket.max_rooms = \"3\" (from command line)");
        assertThat(ConfigLoader.load(null, Map.of("WS_MAX_ROOMS", "2", "WS_ENABLE_ROOM_LIMIT", "false"), Map.of())
                .rooms().maxRooms()).as("no limit, nothing to fit under").isEqualTo(2);
    }

    @Test
    void badCidrNamesTheItem() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("WS_IP_BLACKLIST", "10.0.0.0/8,10.0.0.0/33"), Map.of()))
                .hasMessageStartingWith("websocket.ip_blacklist = \"10.0.0.0/8,10.0.0.0/33\" (from WS_IP_BLACKLIST):"
                        + " expected a list of CIDRs")
                .hasMessageContaining("\"10.0.0.0/33\" is not a valid CIDR");
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.example.com", "https://app.example.com/path", "null", "https://*.com",
            "https://user@app.example.com", "localhost:3000"})
    void badOriginsAreRefused(String origin) {
        assertThatThrownBy(() -> withOverride("allowed_origins", origin))
                .hasMessageStartingWith("websocket.allowed_origins = ")
                .hasMessageContaining("is not an origin");
    }

    @Test
    void badValueFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("WS_PORT", "abc"), Map.of()))
                .hasMessage("websocket.port = \"abc\" (from WS_PORT): expected an integer between 0 and 65535");
    }

    @Test
    void badValueInTheFileNamesTheFileAndLine() throws IOException {
        Path file = write("relay.yaml", """
                websocket:
                  host: 127.0.0.1
                  port: abc
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessage("websocket.port = \"abc\" (in " + file + ", line 3): expected an integer between 0 and"
                        + " 65535");
    }

    @Test
    void badValueInTheFileIsReportedEvenWhenTheEnvironmentOverridesIt() throws IOException {
        Path file = write("relay.yaml", "websocket:\n  port: abc\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("WS_PORT", "9000"), Map.of()))
                .hasMessageContaining("relay.yaml, line 2");
    }

    @Test
    void listWhereOneValueIsExpectedIsRefused() throws IOException {
        Path file = write("relay.yaml", "websocket:\n  port: [1, 2]\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessageEndingWith("expected an integer between 0 and 65535, not a list");
    }

    @Test
    void valuesWithLineBreaksStayOnOneLine() {
        ConfigException e = failure(() -> withOverride("host", "evil\nhost"));

        assertThat(e.getMessage()).contains("\"evil\\nhost\"");
    }

    @Test
    void unknownKeyInTheFileSuggestsTheNearestKey() throws IOException {
        Path file = write("relay.yaml", """
                websocket:
                  port: 8080
                  max_conections: 5
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("websocket.max_conections (in " + file + ", line 3): unknown key; did you mean"
                        + " max_connections?");
    }

    @Test
    void unknownKeyWithNothingCloseSaysWhereTheKeysAreListed() {
        assertThatThrownBy(() -> withOverride("kafka_brokers", "x"))
                .hasMessage("websocket.kafka_brokers (from command line): unknown key; docs/configuration.md lists"
                        + " the keys");
    }

    @Test
    void aDatabaseUrlMustBeSqliteOrPostgresAndItsPasswordIsNeverShown() {
        assertThatThrownBy(() -> withOverride("database_url", "jdbc:mysql://db/relay?password=hunter2"))
                .hasMessageContaining("expected jdbc:postgresql://host:port/database or jdbc:sqlite:/path/file.db")
                .hasMessageNotContaining("hunter2");
        assertThat(withOverride("database_url", "jdbc:postgresql://127.0.0.1:5432/test?user=relay").messages()
                .persistence().databaseUrl()).contains("jdbc:postgresql://127.0.0.1:5432/test?user=relay");
        assertThat(withOverride("database_url", "").messages().persistence().databaseUrl()).isEmpty();
    }

    @Test
    void unknownOverrideKeyIsRefused() {
        assertThatThrownBy(() -> withOverride("prot", "9000"))
                .hasMessage("websocket.prot (from command line): unknown key; did you mean port?");
    }

    @Test
    void unknownTopLevelKeyIsRefused() throws IOException {
        Path file = write("relay.yaml", "websocket:\n  port: 1\nwebsockets:\n  port: 2\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessage("websockets (in " + file + ", line 3): unknown top-level key; did you mean websocket?");
    }

    @Test
    void settingOutsideTheSectionIsPointedUnderIt() throws IOException {
        Path file = write("relay.yaml", "port: 9000\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessage("port (in " + file + ", line 1): unknown top-level key; settings go under websocket:,"
                        + " as websocket.port");
    }

    @Test
    void keySetTwiceInTheFileIsRefused() throws IOException {
        Path file = write("relay.yaml", "websocket:\n  port: 1\n  port: 2\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessage("websocket.port (in " + file + ", line 3): set twice in the same file (first on line 2)");
    }

    @Test
    void sectionThatIsNotAMappingIsRefused() throws IOException {
        Path file = write("relay.yaml", "websocket: 8080\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessageStartingWith("websocket (in " + file + ", line 1): expected a mapping");
    }

    @Test
    void fileThatIsNotAMappingIsRefused() throws IOException {
        Path file = write("relay.yaml", "- port\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessage(file + ", line 1: expected a mapping with a websocket: section");
    }

    @Test
    void nestedMappingAsAValueIsRefused() throws IOException {
        Path file = write("relay.yaml", "websocket:\n  port:\n    value: 1\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessage("websocket.port (in " + file + ", line 2): expected a single value or a list, not a"
                        + " mapping");
    }

    @Test
    void missingFileIsAnErrorNamingThePath() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + missing + " does not exist");
    }

    @Test
    void directoryInsteadOfAFileIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of(), Map.of()))
                .hasMessage("config file " + dir + " is a directory, not a file");
    }

    @Test
    void yamlSyntaxErrorNamesTheFileAndLine() throws IOException {
        Path file = write("relay.yaml", "websocket:\n  port: 1\n    bad: x\n");

        ConfigException e = failure(() -> ConfigLoader.load(file, Map.of(), Map.of()));

        assertThat(e.getMessage()).isEqualTo("invalid YAML in " + file + ", line 3, column 8: mapping values are not"
                + " allowed here");
    }

    @Test
    void tabIndentationIsASyntaxErrorOnItsLine() throws IOException {
        Path file = write("relay.yaml", "websocket:\n\tport: 1\n");

        ConfigException e = failure(() -> ConfigLoader.load(file, Map.of(), Map.of()));

        assertThat(e.getMessage()).startsWith("invalid YAML in " + file + ", line 2").contains("TAB");
    }

    @Test
    void secondYamlDocumentIsRefused() throws IOException {
        Path file = write("relay.yaml", "websocket:\n  port: 1\n---\nwebsocket:\n  port: 2\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .hasMessageContaining("expected a single YAML document");
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
