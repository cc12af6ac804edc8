package org.spack.gantry.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.spack.gantry.store.DatabaseLocation;

/**
 * Reads {@code GANTRY_DATABASE_URL}, a libpq connection URI
 * ({@code postgresql://user@host:5432/gantry?sslmode=verify-full&sslrootcert=/etc/gantry/ca.pem}),
 * into the PostgreSQL driver's URL and properties. The password never sits in the URL
 * (it would reach logs and process listings): it comes from {@code GANTRY_DATABASE_PASSWORD}
 * or the file {@code GANTRY_DATABASE_PASSWORD_FILE} names.
 */
final class DatabaseUrl {
    /** The libpq options understood, and the PostgreSQL JDBC driver's name for each. */
    private static final Map<String, String> OPTIONS = Map.of(
            "sslmode", "sslmode",
            "sslrootcert", "sslrootcert",
            "sslcert", "sslcert",
            "sslkey", "sslkey",
            "connect_timeout", "connectTimeout",
            "application_name", "ApplicationName",
            "target_session_attrs", "targetServerType");

    private DatabaseUrl() {}

    static DatabaseLocation.Postgres parse(String url, String password, String passwordFile) {
        String text = url.strip();
        if (!text.startsWith("postgresql://") && !text.startsWith("postgres://")) {
            throw invalid(url, "it must start with postgresql://");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalid(url, "it is not a URL (" + e.getReason() + ")");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) throw invalid(url, "it names no host");
        String user = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            if (userInfo.contains(":")) {
                throw new ConfigException("GANTRY_DATABASE_URL must not hold the password: set GANTRY_DATABASE_PASSWORD"
                        + " or GANTRY_DATABASE_PASSWORD_FILE instead");
            }
            user = decode(userInfo);
            authority = authority.substring(at + 1);
        }
        if (authority.isEmpty()) throw invalid(url, "it names no host");
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String dbName = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
        if (dbName.isEmpty()) throw invalid(url, "it names no database (postgresql://host:5432/gantry)");
        Map<String, String> properties = new LinkedHashMap<>();
        if (user != null && !user.isEmpty()) properties.put("user", user);
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                String driverName = OPTIONS.get(name);
                if (driverName == null) {
                    throw invalid(url, "'" + name + "' is not an option Gantry passes on (" + String.join(", ",
                            new java.util.TreeSet<>(OPTIONS.keySet())) + ")");
                }
                if (name.equals("target_session_attrs")) value = targetServerType(url, value);
                properties.put(driverName, value);
            }
        }
        String secret = password(password, passwordFile);
        if (secret != null) properties.put("password", secret);
        String jdbcUrl = "jdbc:postgresql://" + authority + "/" + encodePath(dbName);
        String display = "postgresql://" + (user == null ? "" : user + "@") + authority + "/" + dbName;
        return new DatabaseLocation.Postgres(jdbcUrl, properties, display);
    }

    private static String targetServerType(String url, String value) {
        return switch (value) {
            case "any" -> "any";
            case "read-write", "primary" -> "primary";
            default -> throw invalid(url, "target_session_attrs must be any or read-write, not '" + value + "'");
        };
    }

    private static String password(String password, String passwordFile) {
        boolean inline = password != null && !password.isEmpty();
        boolean file = passwordFile != null && !passwordFile.isBlank();
        if (inline && file) {
            throw new ConfigException("set GANTRY_DATABASE_PASSWORD or GANTRY_DATABASE_PASSWORD_FILE, not both");
        }
        if (inline) return password;
        if (!file) return null;
        try {
            String text = Files.readString(Path.of(passwordFile.strip()), StandardCharsets.UTF_8);
            // a file written by an editor or echo ends with a newline that is not part of the password
            return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException e) {
            throw new ConfigException("cannot read GANTRY_DATABASE_PASSWORD_FILE " + passwordFile + ": " + e.getMessage());
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encodePath(String dbName) {
        return java.net.URLEncoder.encode(dbName, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ConfigException invalid(String url, String why) {
        return new ConfigException("GANTRY_DATABASE_URL is not a PostgreSQL URL (postgresql://user@host:5432/gantry): "
                + why + ", in '" + redact(url) + "'");
    }

    /** The URL with anything between :// and @ reduced to the user name, so that a mistaken password is not printed. */
    private static String redact(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@', Math.max(0, scheme));
        if (scheme < 0 || at < 0) return url;
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon < 0 ? url : url.substring(0, scheme + 3) + userInfo.substring(0, colon) + ":***" + url.substring(at);
    }
}
