package io.github.jnids.spark;

import java.util.List;

import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One task's work: one capture file, or with {@code rotation} the files of
 * one rotation set in order, read as one libnids session.
 *
 * @param files  the files' paths (Hadoop path strings, fully qualified)
 * @param bytes  their total size
 * @param hosts  where most of their bytes are, from the file system's block locations
 */
record CapturePartition(List<String> files, long bytes, String[] hosts) implements InputPartition {
    @Override
    public String[] preferredLocations() {
        return hosts.clone();
    }
}
