"""A real Neo4j Community for the tests, started from the Java launcher in this folder."""
