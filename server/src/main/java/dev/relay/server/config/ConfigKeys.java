package dev.relay.server.config;

import dev.relay.core.policy.ContentFilter;
import dev.relay.server.access.Cidr;

import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.relay.server.config.ObservabilityTypes.choice;
import static dev.relay.server.config.ObservabilityTypes.optionalPort;
import static dev.relay.server.config.ObservabilityTypes.ratio;
import static dev.relay.server.config.ValueTypes.bool;
import static dev.relay.server.config.ValueTypes.cidrs;
import static dev.relay.server.config.ValueTypes.duration;
import static dev.relay.server.config.ValueTypes.durationOrZero;
import static dev.relay.server.config.ValueTypes.host;
import static dev.relay.server.config.ValueTypes.integer;
import static dev.relay.server.config.ValueTypes.optionalUrl;
import static dev.relay.server.config.ValueTypes.origins;
import static dev.relay.server.config.ValueTypes.path;
import static dev.relay.server.config.ValueTypes.roomIds;
import static dev.relay.server.config.ValueTypes.secret;
import static dev.relay.server.config.ValueTypes.size;

/**
 * The one list of settings. The YAML file, the environment and the command line are all read through it, and a
 * test holds docs/configuration.md to it, so a key added here without docs fails the build.
 */
final class ConfigKeys {
    private static final int MAX = Integer.MAX_VALUE;
    // Filled by key() as the constants below are initialised; must stay declared before them.
    private static final List<ConfigKey<?>> REGISTERED = new ArrayList<>();

    static final ConfigKey<String> HOST = key("host", host(), "0.0.0.0", "Address to listen on.");
    static final ConfigKey<Integer> PORT = key("port", integer(0, 65535), "8080",
            "Port to listen on; 0 picks a free port (for tests and embedding).");
    static final ConfigKey<Optional<Integer>> INTERNAL_PORT = key("internal_port", optionalPort(), "",
            "Port for /metrics and /health/*, apart from port; unset serves them on port.");
    static final ConfigKey<Boolean> INTERNAL_ADMIN = key("internal_admin", bool(), "false",
            "With internal_port set, serve the admin endpoints on internal_port only.");
    static final ConfigKey<String> TRANSPORT = key("transport", choice("auto", "epoll", "io_uring", "nio"), "auto",
            "Netty I/O transport; auto: epoll on Linux, else NIO. One that cannot load here falls back to auto's choice.");
    static final ConfigKey<Integer> READ_BUFFER_SIZE = key("read_buffer_size", size(), "1024",
            "Initial size of a connection's read buffer; Netty's adaptive allocator grows it as needed.");
    static final ConfigKey<Integer> WRITE_BUFFER_SIZE = key("write_buffer_size", size(), "1024",
            "Low water mark of a connection's outbound buffer.");
    static final ConfigKey<Duration> PING_PERIOD = key("ping_period", duration(), "60s",
            "How often the server pings each connection.");
    static final ConfigKey<Duration> PONG_WAIT = key("pong_wait", duration(), "10s",
            "How long after a ping the client has to answer before the connection is closed.");
    static final ConfigKey<Duration> WRITE_WAIT = key("write_wait", duration(), "10s",
            "How long a connection may stay unable to take more outbound data before it is closed as a slow consumer.");
    static final ConfigKey<Duration> HTTP_HEADER_TIMEOUT = key("http_header_timeout", duration(), "10s",
            "How long a request head may take from its first byte (a new connection's first, from the opening); then"
                    + " the connection is closed.");
    static final ConfigKey<Duration> HTTP_BODY_TIMEOUT = key("http_body_timeout", duration(), "30s",
            "How long a request body may take from the end of its head; then the connection is closed.");
    static final ConfigKey<Duration> HTTP_IDLE_TIMEOUT = key("http_idle_timeout", duration(), "60s",
            "How long a kept-alive HTTP connection may wait for its next request after an answer.");
    static final ConfigKey<Integer> MAX_MESSAGE_SIZE = key("max_message_size", size(), "8KiB",
            "Most bytes of one incoming WebSocket message, counted after inflating a compressed one; a larger one closes "
                    + "the connection with 1009.");
    static final ConfigKey<Optional<Path>> TLS_CERT_FILE = key("tls_cert_file", SecurityValueTypes.optionalFile(), "",
            "PEM certificate chain (server certificate first): serve wss:// and https:// on port and internal_port.");
    static final ConfigKey<Optional<Path>> TLS_KEY_FILE = key("tls_key_file", SecurityValueTypes.optionalFile(), "",
            "PEM private key of tls_cert_file (PKCS#8, or PKCS#1 for RSA; not encrypted).");
    static final ConfigKey<Optional<Path>> TLS_CLIENT_CA = key("tls_client_ca", SecurityValueTypes.optionalFile(), "",
            "PEM CA certificates: internal_port then accepts only clients with a certificate they signed (mutual TLS).");
    static final ConfigKey<Duration> TLS_RELOAD_INTERVAL = key("tls_reload_interval", durationOrZero(), "10s",
            "How often tls_cert_file and tls_key_file are checked for a renewal, taken without a restart; 0 never.");
    static final ConfigKey<Boolean> ENABLE_COMPRESSION = key("enable_compression", bool(), "true",
            "Negotiate permessage-deflate with clients that offer it (always with server_no_context_takeover).");
    static final ConfigKey<Boolean> ENABLE_STOMP = key("enable_stomp", bool(), "true",
            "Serve STOMP 1.2 over WebSocket at /ws/stomp (same hub, token, origin, IP and connection limits).");
    static final ConfigKey<Boolean> ENABLE_SOCKETIO = key("enable_socketio", bool(), "true",
            "Serve Socket.IO v4 clients (Engine.IO 4: long-polling and WebSocket) at /socket.io/.");
    static final ConfigKey<Integer> MAX_CONNECTIONS = key("max_connections", integer(1, MAX), "10000",
            "Most concurrent WebSocket connections; more are refused with HTTP 503.");
    static final ConfigKey<Integer> MAX_CONNECTIONS_PER_USER = key("max_connections_per_user", integer(0, MAX), "0",
            "Most concurrent connections of one user; more are refused with HTTP 429; 0 is no limit.");
    static final ConfigKey<Integer> MAX_CONNECTIONS_PER_IP = key("max_connections_per_ip", integer(0, MAX), "0",
            "Most concurrent connections from one client address; more are refused with HTTP 429; 0 is no limit.");
    static final ConfigKey<Integer> MAX_CONNECTS_PER_IP_PER_MINUTE = key("max_connects_per_ip_per_minute",
            integer(0, MAX), "0", "New connections per minute from one client address; more get HTTP 429; 0 is no limit.");
    static final ConfigKey<Boolean> ENABLE_RATE_LIMIT = key("enable_rate_limit", bool(), "true",
            "Limit how many messages each connection may send.");
    static final ConfigKey<Integer> RATE_LIMIT_PER_MINUTE = key("rate_limit_per_minute", integer(1, MAX), "1000",
            "Messages per minute per connection; excess messages get a rate_limited error and are dropped.");
    static final ConfigKey<Integer> REST_RATE_LIMIT_PER_MINUTE = key("rest_rate_limit_per_minute", integer(0, MAX),
            "600", "REST requests per minute per user; excess requests get HTTP 429 with Retry-After; 0 turns it off.");
    static final ConfigKey<Boolean> ENABLE_IP_WHITELIST = key("enable_ip_whitelist", bool(), "false",
            "Accept connections only from addresses in ip_whitelist.");
    static final ConfigKey<List<Cidr>> IP_WHITELIST = key("ip_whitelist", cidrs(), "",
            "Addresses allowed when enable_ip_whitelist is on; others are refused with HTTP 403.");
    static final ConfigKey<List<Cidr>> IP_BLACKLIST = key("ip_blacklist", cidrs(), "",
            "Addresses always refused with HTTP 403.");
    static final ConfigKey<List<Cidr>> TRUSTED_PROXIES = key("trusted_proxies", cidrs(), "",
            "Proxies whose Forwarded / X-Forwarded-For headers give the client address.");
    static final ConfigKey<Optional<Path>> GEO_DATABASE = key("geo_database", SecurityValueTypes.optionalFile(), "",
            "MaxMind-format country database (GeoLite2/GeoIP2 Country) for the geo restriction.");
    static final ConfigKey<List<String>> GEO_ALLOWED_COUNTRIES = key("geo_allowed_countries",
            SecurityValueTypes.countries(), "", "When not empty, only clients from these countries may connect.");
    static final ConfigKey<List<String>> GEO_DENIED_COUNTRIES = key("geo_denied_countries",
            SecurityValueTypes.countries(), "", "Clients from these countries are refused with HTTP 403.");
    static final ConfigKey<Boolean> ENABLE_ORIGIN_CHECK = key("enable_origin_check", bool(), "true",
            "Check the Origin header of browser requests.");
    static final ConfigKey<List<String>> ALLOWED_ORIGINS = key("allowed_origins", origins(), "",
            "Origins allowed by the origin check (* allows any); empty means same origin as the Host header.");
    static final ConfigKey<Optional<String>> JWT_SECRET = key("jwt_secret", secret(), "",
            "HS256 secret for tokens; when unset a random one is generated at startup and logged with an admin token.");
    static final ConfigKey<List<String>> JWT_PREVIOUS_SECRETS = key("jwt_previous_secrets",
            SecurityValueTypes.secrets(), "", "Former HS256 secrets still accepted while their tokens run out (rotation:"
                    + " set the new jwt_secret, move the old one here, reload; remove it after jwt_max_ttl).");
    static final ConfigKey<Duration> JWT_CLOCK_SKEW = key("jwt_clock_skew", durationOrZero(), "30s",
            "How far a token's exp and nbf may be off from the server's clock.");
    static final ConfigKey<Duration> JWT_MAX_TTL = key("jwt_max_ttl", duration(), "24h",
            "Longest a token may be valid: exp at most this far after now and after its iat; an iat in the future is refused.");
    static final ConfigKey<Optional<String>> JWT_ISSUER = key("jwt_issuer", SecurityValueTypes.optionalText(), "",
            "When set, a token's iss must equal it.");
    static final ConfigKey<Optional<String>> JWT_AUDIENCE = key("jwt_audience", SecurityValueTypes.optionalText(),
            "", "When set, a token's aud must contain it.");
    static final ConfigKey<Optional<PublicKey>> JWT_PUBLIC_KEY = key("jwt_public_key",
            SecurityValueTypes.publicKey(), "", "RSA or EC public key (inline PEM or a PEM file); tokens must then be"
                    + " RS/PS/ES-signed and HMAC tokens are refused.");
    static final ConfigKey<Optional<URI>> JWT_JWKS_URL = key("jwt_jwks_url", optionalUrl(), "",
            "JWKS URL of the identity provider; keys are chosen by kid and HMAC tokens are refused.");
    static final ConfigKey<Duration> JWT_JWKS_REFRESH = key("jwt_jwks_refresh", duration(), "5m",
            "How often the JWKS is fetched again (an unknown kid also triggers a fetch).");
    static final ConfigKey<List<String>> CREATE_ROOM_ROLES = key("create_room_roles", SecurityValueTypes.roles(),
            "admin", "Roles that may create rooms; * allows every user.");
    static final ConfigKey<List<String>> DELETE_ROOM_ROLES = key("delete_room_roles", SecurityValueTypes.roles(),
            "admin", "Roles that may delete rooms; * allows every user.");
    static final ConfigKey<List<String>> MODERATOR_ROLES = key("moderator_roles", SecurityValueTypes.roles(),
            "admin", "Roles that may delete other users' messages with delete_message; * allows every user.");
    static final ConfigKey<List<String>> BROADCAST_ROLES = key("broadcast_roles", SecurityValueTypes.roles(),
            "admin", "Roles that may send broadcast; * allows every user.");
    static final ConfigKey<List<String>> PRIVATE_MESSAGE_ROLES = key("private_message_roles",
            SecurityValueTypes.roles(), "*", "Roles that may send private_message; * allows every user.");
    static final ConfigKey<Boolean> ENABLE_ROOM_LIMIT = key("enable_room_limit", bool(), "true",
            "Limit the number of rooms to max_rooms.");
    static final ConfigKey<Integer> MAX_ROOMS = key("max_rooms", integer(1, MAX), "100",
            "Most rooms the server holds, default rooms included.");
    static final ConfigKey<List<String>> DEFAULT_ROOMS = key("default_rooms", roomIds(),
            "general,announcements,support", "Rooms that exist from startup.");
    static final ConfigKey<Boolean> ENABLE_MESSAGE_PERSISTENCE = key("enable_message_persistence", bool(),
            "false", "Store room and private messages in a database (SQLite under data_dir, or database_url), so"
                    + " history, resume and offline messages survive a restart.");
    static final ConfigKey<Integer> MESSAGE_RETENTION_DAYS = key("message_retention_days", integer(1, MAX),
            "30", "Days stored messages are kept; a daily job deletes older ones in small batches.");
    static final ConfigKey<Optional<String>> DATABASE_URL = key("database_url", PersistenceTypes.databaseUrl(), "",
            "JDBC URL of the message store (jdbc:postgresql://host:5432/db?user=..., or jdbc:sqlite:/path/file.db);"
                    + " unset: SQLite file relay.db under data_dir.");
    static final ConfigKey<Boolean> ACK_AFTER_PERSIST = key("ack_after_persist", bool(), "false",
            "With persistence on, send a message's ack only once it is committed to the database.");
    static final ConfigKey<Integer> OFFLINE_MAX_MESSAGES = key("offline_max_messages", integer(0, MAX), "1000",
            "Private messages held per user with no live connection (oldest dropped and counted);"
                    + " 0 refuses them with user_not_online.");
    static final ConfigKey<Integer> OFFLINE_MAX_TOTAL_MESSAGES = key("offline_max_total_messages",
            integer(1, MAX), "100000", "Private messages held in memory for offline users, all users together"
                    + " (oldest dropped and counted).");
    static final ConfigKey<Integer> OFFLINE_MAX_TOTAL_BYTES = key("offline_max_total_bytes", size(), "64MiB",
            "Estimated bytes of private messages held in memory for offline users, all users together (oldest dropped"
                    + " and counted).");
    static final ConfigKey<Duration> OFFLINE_TTL = key("offline_ttl", durationOrZero(), "0s",
            "How long a private message is held for an offline user before it is swept; 0s: history_ttl, or"
                    + " message_retention_days with persistence.");
    static final ConfigKey<Integer> PERSISTENCE_QUEUE_SIZE = key("persistence_queue_size", integer(1, MAX), "10000",
            "Messages waiting to be written before new ones are refused with temporarily_unavailable.");
    static final ConfigKey<Integer> PERSISTENCE_BATCH_SIZE = key("persistence_batch_size", integer(1, 100_000), "500",
            "Most messages written in one transaction.");
    static final ConfigKey<Duration> PERSISTENCE_BATCH_DELAY = key("persistence_batch_delay", durationOrZero(), "20ms",
            "How long the writer waits for a batch to fill once it holds a message.");
    static final ConfigKey<Integer> MAX_MESSAGE_LENGTH = key("max_message_length", integer(1, MAX), "1000",
            "Most characters (Unicode code points) of a message's content.");
    static final ConfigKey<Duration> EDIT_WINDOW = key("edit_window", duration(), "24h",
            "How long after sending its author may edit a message with edit_message; later edits get forbidden.");
    static final ConfigKey<Boolean> ENABLE_MESSAGE_FILTER = key("enable_message_filter", bool(), "true",
            "Apply the word filter to message content; with no words configured it does nothing.");
    static final ConfigKey<List<String>> FILTER_WORDS = key("filter_words", SecurityValueTypes.words(), "",
            "Words the message filter matches, case-insensitively, anywhere in content.");
    static final ConfigKey<Optional<Path>> FILTER_WORDS_FILE = key("filter_words_file",
            SecurityValueTypes.optionalFile(), "", "A file of more filter words, one per line.");
    static final ConfigKey<ContentFilter.Action> FILTER_ACTION = key("filter_action", SecurityValueTypes.filterAction(),
            "mask", "mask replaces each matched character with *; reject refuses the message with filtered.");
    static final ConfigKey<Boolean> ENABLE_USER_STATUS = key("enable_user_status", bool(), "true",
            "Turn users who send nothing for user_status_timeout away, and back online when they do.");
    static final ConfigKey<Duration> USER_STATUS_TIMEOUT = key("user_status_timeout", duration(), "5m",
            "Inactivity after which a user who has not chosen a status becomes away.");
    static final ConfigKey<Boolean> ENABLE_USER_PRESENCE = key("enable_user_presence", bool(), "true",
            "Send user_joined, user_left and presence (status) events to a room's members.");
    static final ConfigKey<Integer> PRESENCE_MAX_ROOM_USERS = key("presence_max_room_users", integer(0, MAX), "1000",
            "Rooms with more users than this get no presence events (0: no limit).");
    static final ConfigKey<Boolean> ENABLE_STATISTICS = key("enable_statistics", bool(), "true",
            "Log a PERFORMANCE line every statistics_interval.");
    static final ConfigKey<Duration> STATISTICS_INTERVAL = key("statistics_interval", duration(), "1m",
            "How often the PERFORMANCE line is logged.");
    static final ConfigKey<Boolean> ENABLE_PERFORMANCE_METRICS = key("enable_performance_metrics", bool(),
            "true", "Measure delivery latency (a histogram in /metrics, p50/p99 in PERFORMANCE lines and alerts).");
    static final ConfigKey<Boolean> ANALYTICS_ENABLED = key("analytics_enabled", bool(), "true",
            "Roll traffic up per minute for /ws/analytics/* and the live analytics feed.");
    static final ConfigKey<Integer> ANALYTICS_MAX_KEYS_PER_MINUTE = key("analytics_max_keys_per_minute",
            integer(1, 1_000_000), "1000",
            "Room and sender pairs a minute of analytics keeps apart; more are counted in the (other) bucket.");
    static final ConfigKey<Integer> ANALYTICS_MAX_USERS_PER_DAY = key("analytics_max_users_per_day",
            integer(1, 10_000_000), "100000", "Distinct users a node records as active per day.");
    static final ConfigKey<Duration> ANALYTICS_FLUSH_INTERVAL = key("analytics_flush_interval", duration(), "5s",
            "How often analytics rollups are written to the store (every second while an admin watches live).");
    static final ConfigKey<Integer> ANALYTICS_RETENTION_DAYS = key("analytics_retention_days", integer(1, 3650),
            "90", "With persistence, days of analytics rollups kept in the database.");
    static final ConfigKey<Boolean> ENABLE_ALERTS = key("enable_alerts", bool(), "false",
            "Check the alert thresholds every alert_check_interval and log ALERT lines when one is crossed.");
    static final ConfigKey<Double> ALERT_CONNECTIONS_RATIO = key("alert_connections_ratio", ratio(), "0.9",
            "Alert when open connections exceed this fraction of max_connections.");
    static final ConfigKey<Duration> ALERT_LATENCY_P99 = key("alert_latency_p99", duration(), "100ms",
            "Alert when the delivery latency's 99th percentile exceeds this.");
    static final ConfigKey<Double> ALERT_ERROR_RATE = key("alert_error_rate", ratio(), "0.05",
            "Alert when more than this fraction of client messages and REST calls fail.");
    static final ConfigKey<Double> ALERT_HEAP_RATIO = key("alert_heap_ratio", ratio(), "0.85",
            "Alert when the used heap exceeds this fraction of the maximum heap.");
    static final ConfigKey<Duration> ALERT_CHECK_INTERVAL = key("alert_check_interval", duration(), "15s",
            "How often the alert thresholds are checked.");
    static final ConfigKey<Optional<URI>> ALERT_WEBHOOK_URL = key("alert_webhook_url", optionalUrl(), "",
            "URL that gets a JSON POST when an alert fires or clears.");
    static final ConfigKey<Duration> ALERT_WEBHOOK_COOLDOWN = key("alert_webhook_cooldown", duration(), "5m",
            "Least time between two webhook POSTs about the same alert.");
    static final ConfigKey<Boolean> ENABLE_LOAD_BALANCING = key("enable_load_balancing", bool(), "false",
            "Declare that several nodes serve behind a balancer; needs an engine other than memory.");
    static final ConfigKey<Boolean> ENABLE_MESSAGE_QUEUE = key("enable_message_queue", bool(), "false",
            "Declare that nodes pass messages through a broker; needs an engine other than memory.");
    static final ConfigKey<String> ENGINE = key("engine", choice("memory", "redis", "nats"), "memory",
            "Where nodes meet: memory (one node), redis, or nats (fan-out; streams and presence in Redis).");
    static final ConfigKey<URI> REDIS_URL = key("redis_url", ClusterTypes.brokerUrl("redis", "rediss",
            "redis-sentinel", "redis-cluster", "rediss-cluster"), "redis://127.0.0.1:6379",
            "The Redis of engine: redis: one server, Sentinels (redis-sentinel://) or a Redis Cluster (redis-cluster://).");
    static final ConfigKey<Integer> REDIS_WAIT_REPLICAS = key("redis_wait_replicas", integer(0, 16), "0",
            "Replicas that must confirm a room message (WAIT) before it is acknowledged; 0 trusts the master alone.");
    static final ConfigKey<URI> NATS_URL = key("nats_url", ClusterTypes.brokerUrl("nats", "tls"),
            "nats://127.0.0.1:4222", "The NATS server of engine: nats.");
    static final ConfigKey<String> REDIS_KEY_PREFIX = key("redis_key_prefix", ClusterTypes.name(true), "relay:",
            "Put before every Redis key and channel.");
    static final ConfigKey<Optional<String>> NODE_ID = key("node_id", ClusterTypes.nodeId(), "",
            "This node's name in the cluster; unset: the host name and a random suffix.");
    static final ConfigKey<Duration> PRESENCE_TTL = key("presence_ttl", duration(), "30s",
            "How long a node's users stay online in the cluster after its last heartbeat.");
    static final ConfigKey<Boolean> ENABLE_MESSAGE_BROADCAST = key("enable_message_broadcast", bool(), "true",
            "Allow broadcast messages; when false they are refused.");
    static final ConfigKey<Boolean> ENABLE_PRIVATE_MESSAGING = key("enable_private_messaging", bool(), "true",
            "Allow private_message; when false it is refused.");
    static final ConfigKey<Integer> HISTORY_SIZE = key("history_size", integer(0, MAX), "1000",
            "Messages kept per room for clients that resume; 0 keeps none.");
    static final ConfigKey<Duration> HISTORY_TTL = key("history_ttl", duration(), "10m",
            "How long a room message is kept for clients that resume.");
    static final ConfigKey<Integer> RECOVERY_MAX_MESSAGES = key("recovery_max_messages", integer(0, MAX), "1000",
            "Most messages one resume replays; a longer gap answers recovered:false.");
    static final ConfigKey<Duration> DEDUP_WINDOW = key("dedup_window", durationOrZero(), "2m",
            "How long a retried client message id is acknowledged again instead of delivered twice; 0s turns it off.");
    static final ConfigKey<Integer> MAX_PENDING_BYTES = key("max_pending_bytes", size(), "1MiB",
            "Bytes a connection may have queued and unsent; over it for write_wait it is closed as a slow consumer.");
    static final ConfigKey<Duration> SHUTDOWN_TIMEOUT = key("shutdown_timeout", duration(), "10s",
            "How long a stopping server lets clients take their last frames before it exits.");
    static final ConfigKey<String> LOG_LEVEL = key("log_level", choice("error", "warn", "info", "debug", "trace"),
            "info", "Least severe log lines written (Relay's own and its libraries'); changed by a reload too.");
    static final ConfigKey<Path> LOG_DIR = key("log_dir", path(), "logs",
            "Directory where websocket.log and audit.log are written.");
    static final ConfigKey<String> LOG_FORMAT = key("log_format", choice("text", "json"), "text",
            "Log lines as text with key=value fields, or as one JSON object per line.");
    static final ConfigKey<Integer> LOG_MAX_FILE_SIZE = key("log_max_file_size", size(), "50MB",
            "Size at which a log file is rolled over.");
    static final ConfigKey<Integer> LOG_RETENTION_DAYS = key("log_retention_days", integer(1, MAX), "14",
            "Days rolled log files are kept.");
    static final ConfigKey<Integer> LOG_TOTAL_SIZE_CAP = key("log_total_size_cap", size(), "2GB",
            "Most bytes all rolled websocket.log files may take; the oldest go first.");
    static final ConfigKey<Integer> AUDIT_TOTAL_SIZE_CAP = key("audit_total_size_cap", size(), "1GB",
            "Most bytes all rolled audit.log files may take; the oldest go first.");
    static final ConfigKey<Path> DATA_DIR = key("data_dir", path(), "data",
            "Directory for data files: the SQLite message store (relay.db) when persistence is on without database_url.");

    static final ConfigKey<List<WebhookConfig>> WEBHOOKS = key("webhooks", IntegrationTypes.webhooks(), "",
            "Where to POST signed batches of events: a list of {url, events, rooms, secret, batch_delay, ...}.");
    static final ConfigKey<Optional<URI>> PROXY_CONNECT_URL = key("proxy_connect_url", optionalUrl(), "",
            "The backend asked whether an upgrade may connect, and as whom; unset: no connect proxy.");
    static final ConfigKey<String> PROXY_CONNECT_MODE = key("proxy_connect_mode",
            choice(IntegrationConfig.CONNECT_ALWAYS, IntegrationConfig.CONNECT_WITHOUT_VALID_JWT), "always",
            "always: the connect proxy instead of the JWT; without_valid_jwt: only for upgrades without a valid JWT.");
    static final ConfigKey<Duration> PROXY_CONNECT_TIMEOUT = key("proxy_connect_timeout", duration(), "1s",
            "How long a connect proxy call may take; then the backend counts as down.");
    static final ConfigKey<List<String>> PROXY_CONNECT_HEADERS = key("proxy_connect_headers",
            IntegrationTypes.headerNames(), "", "Request headers of the upgrade copied to the connect proxy call.");
    static final ConfigKey<Boolean> PROXY_CONNECT_FAIL_OPEN = key("proxy_connect_fail_open", bool(), "false",
            "With the backend down, fall back to the JWT instead of refusing with unavailable.");
    static final ConfigKey<Optional<URI>> PROXY_PUBLISH_URL = key("proxy_publish_url", optionalUrl(), "",
            "The backend asked before a room or private message is accepted; unset: no publish proxy.");
    static final ConfigKey<Duration> PROXY_PUBLISH_TIMEOUT = key("proxy_publish_timeout", duration(), "1s",
            "How long a publish proxy call may take; then the backend counts as down.");
    static final ConfigKey<List<String>> PROXY_PUBLISH_HEADERS = key("proxy_publish_headers",
            IntegrationTypes.headerNames(), "", "Upgrade request headers copied to every publish proxy call.");
    static final ConfigKey<Boolean> PROXY_PUBLISH_FAIL_OPEN = key("proxy_publish_fail_open", bool(), "false",
            "With the backend down, accept the message unchanged instead of refusing it with unavailable.");
    static final ConfigKey<Optional<URI>> PROXY_RPC_URL = key("proxy_rpc_url", optionalUrl(), "",
            "The backend that answers rpc frames; unset: rpc is refused with unknown_type.");
    static final ConfigKey<Duration> PROXY_RPC_TIMEOUT = key("proxy_rpc_timeout", duration(), "1s",
            "How long an rpc proxy call may take; then the client gets unavailable.");
    static final ConfigKey<List<String>> PROXY_RPC_HEADERS = key("proxy_rpc_headers",
            IntegrationTypes.headerNames(), "", "Upgrade request headers copied to every rpc proxy call.");
    static final ConfigKey<Boolean> ASSISTANT_ENABLED = key("assistant_enabled", bool(), "false",
            "Run the AI assistant, a member answering through an OpenAI-compatible API (docs/assistant.md).");
    static final ConfigKey<Optional<URI>> ASSISTANT_BASE_URL = key("assistant_base_url", optionalUrl(), "",
            "The model API's base URL, before /chat/completions, e.g. http://127.0.0.1:11434/v1; required when enabled.");
    static final ConfigKey<Optional<String>> ASSISTANT_API_KEY = key("assistant_api_key", AssistantTypes.apiKey(), "",
            "Sent as Authorization: Bearer to the model API; never logged. Unset sends none.");
    static final ConfigKey<Optional<String>> ASSISTANT_MODEL = key("assistant_model",
            SecurityValueTypes.optionalText(), "", "The model name sent with each request; required when enabled.");
    static final ConfigKey<String> ASSISTANT_USER_ID = key("assistant_user_id", AssistantTypes.userId(), "assistant",
            "The assistant's user id: private messages to it are questions, its replies come from it.");
    static final ConfigKey<String> ASSISTANT_NAME = key("assistant_name", AssistantTypes.text(), "Assistant",
            "The assistant's display name in member lists.");
    static final ConfigKey<List<String>> ASSISTANT_ROOMS = key("assistant_rooms", AssistantTypes.roomGlobs(), "*",
            "Rooms it answers in: ids or patterns with *; * is every public room.");
    static final ConfigKey<String> ASSISTANT_TRIGGER = key("assistant_trigger", AssistantTypes.text(), "@assistant",
            "A room message containing this text is a question for the assistant.");
    static final ConfigKey<String> ASSISTANT_SYSTEM_PROMPT = key("assistant_system_prompt", AssistantTypes.text(),
            "You are a helpful assistant in a group chat. Answer briefly.",
            "The system message that starts every request.");
    static final ConfigKey<Integer> ASSISTANT_CONTEXT_MESSAGES = key("assistant_context_messages", integer(0, 1000),
            "20", "Newest messages of the room or conversation the model sees with a question.");
    static final ConfigKey<Integer> ASSISTANT_MAX_TOKENS = key("assistant_max_tokens", integer(1, MAX), "1024",
            "max_tokens of each request.");
    static final ConfigKey<Duration> ASSISTANT_TIMEOUT = key("assistant_timeout", duration(), "60s",
            "Longest one answer may take, from the request to its last token; then it ends with state error.");
    static final ConfigKey<Integer> ASSISTANT_RATE_PER_USER = key("assistant_rate_per_user", integer(0, MAX), "10",
            "Questions per minute per user; more get error rate_limited with retry_after_ms; 0 is no limit.");
    static final ConfigKey<Integer> ASSISTANT_MAX_CONCURRENT = key("assistant_max_concurrent", integer(1, MAX), "4",
            "Answers generated at once, per room and in total; more get error busy.");
    static final ConfigKey<Duration> ASSISTANT_UPDATE_INTERVAL = key("assistant_update_interval", duration(),
            "250ms", "Least time between two message_update frames of one answer.");

    static final List<ConfigKey<?>> ALL = List.copyOf(REGISTERED);

    private ConfigKeys() {
    }

    static Optional<ConfigKey<?>> byName(String name) {
        return ALL.stream().filter(key -> key.name().equals(name)).findFirst();
    }

    static List<String> names() {
        return ALL.stream().map(ConfigKey::name).toList();
    }

    private static <T> ConfigKey<T> key(String name, ValueType<T> type, String defaultText, String meaning) {
        return register(new ConfigKey<>(name, type, defaultText, meaning, false));
    }

    private static <T> ConfigKey<T> planned(String name, ValueType<T> type, String defaultText, String meaning) {
        return register(new ConfigKey<>(name, type, defaultText, meaning, true));
    }

    private static <T> ConfigKey<T> register(ConfigKey<T> key) {
        REGISTERED.add(key);
        return key;
    }
}
