package dev.relay.store.jdbc;

/** What differs between the two databases: migrations and full-text search. */
enum Dialect {
    SQLITE("classpath:db/sqlite"),
    POSTGRESQL("classpath:db/postgresql");

    private final String migrations;

    Dialect(String migrations) {
        this.migrations = migrations;
    }

    String migrations() {
        return migrations;
    }

    static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("database_url must be jdbc:sqlite:... or jdbc:postgresql:..., not "
                + jdbcUrl.replaceAll("//[^@/]*@", "//***@"));
    }
}
