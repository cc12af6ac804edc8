package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** All SQL on {@code nodes}. Nodes are shared by jobs and found again by their system UUID. */
public final class NodeStore {

    public Long findByUuid(Connection c, String uuid) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM nodes WHERE uuid=?")) {
            st.setString(1, uuid);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** Inserts the node unless its UUID is already stored; either way returns its id. */
    public long insertOrFind(Connection c, NodeRow n) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO nodes"
                + " (uuid, hostname, cores, mem, arch, os, instance_type) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
            st.setString(1, n.uuid());
            st.setString(2, n.hostname());
            st.setDouble(3, n.cores());
            st.setDouble(4, n.mem());
            st.setString(5, n.arch());
            st.setString(6, n.os());
            st.setString(7, n.instanceType());
            st.executeUpdate();
        }
        Long id = findByUuid(c, n.uuid());
        if (id == null) {
            throw new SQLException("node " + n.uuid() + " was neither inserted nor found");
        }
        return id;
    }
}
