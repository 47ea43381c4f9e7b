package graphsvc.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A throw-away Neo4j Community for the tests: Bolt on a free 127.0.0.1 port, auth disabled, data
 * in a temporary folder. Prints {@code bolt://127.0.0.1:PORT} and the version on stdout once Bolt
 * accepts connections, and shuts down (deleting the data) when stdin closes or the parent process
 * goes away, so a killed test run leaves no server behind.
 */
public final class Neo4jLauncher {
    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("graphsvc-neo4j-");
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 64L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.udc_enabled, false) // no usage reports to Neo4j
                // Otherwise Bolt's network threads idle ~10 s before stopping (an internal setting).
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        Runnable stop = new Runnable() {
            private boolean stopped;

            @Override
            public synchronized void run() {
                if (!stopped) {
                    stopped = true;
                    dbms.shutdown();
                    delete(home);
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop));

        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        HostnamePort bolt = db.getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT);
        String version = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v", java.util.Map.of(),
                result -> (String) result.next().get("v"));
        System.out.println("bolt://127.0.0.1:" + bolt.getPort() + " " + version);
        System.out.flush();

        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        InputStream in = System.in;
        while (in.read() != -1) {
            // Anything on stdin is ignored; its end means the parent is done with us.
        }
        System.exit(0); // runs the shutdown hook
    }

    private static void delete(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary folder left behind is harmless.
        }
    }
}
