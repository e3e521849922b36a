import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;

/**
 * One JGroups member of the vsync benchmark, driven by bench/vsync/jgroups/jgroups-member.ts over stdin/stdout (one
 * command or JSON event a line), the way bench/vsync/member.ts is driven. It holds two channels: "sequencer" (the TCP
 * stack with SEQUENCER, total order) and "fifo" (the plain TCP stack). A message's first byte names its phase, so a
 * receiver counts per phase; a phase is done when every expected message, its own included, was delivered here.
 * Timestamps are System.nanoTime, which on Linux is CLOCK_MONOTONIC like Node's process.hrtime, so the harness
 * compares them with the Node members' on the same clock.
 *
 *   java -cp jgroups.jar:. JGroupsBench   (system properties bench.seq.config and bench.fifo.config name each stack's
 *                                          XML file; bench.seq.port, bench.seq.hosts, bench.fifo.port and
 *                                          bench.fifo.hosts its port and TCPPING initial hosts)
 * Commands: "expect STACK PHASE COUNT", "blast STACK PHASE COUNT SIZE", "stats", "exit".
 */
public final class JGroupsBench {
  /** Phase ids fit the message's first byte. */
  private static final int MAX_PHASES = 128;

  private static final Map<String, JChannel> channels = new ConcurrentHashMap<>();
  private static final AtomicLong[] expected = new AtomicLong[MAX_PHASES];
  private static final AtomicLong[] received = new AtomicLong[MAX_PHASES];

  private JGroupsBench() {}

  private static synchronized void emit(String json) {
    System.out.println(json);
    System.out.flush();
  }

  private static final class Counter implements Receiver {
    private final String stack;

    Counter(String stack) {
      this.stack = stack;
    }

    @Override
    public void receive(Message msg) {
      byte[] body = msg.getArray();
      int phase = body[msg.getOffset()];
      long count = received[phase].incrementAndGet();
      if (count == expected[phase].get()) {
        emit("{\"event\":\"phaseDone\",\"stack\":\"" + stack + "\",\"phase\":" + phase + ",\"endNs\":"
            + System.nanoTime() + "}");
      }
    }

    @Override
    public void viewAccepted(View view) {
      emit("{\"event\":\"view\",\"stack\":\"" + stack + "\",\"size\":" + view.size() + "}");
    }
  }

  private static JChannel open(String stack, String config) throws Exception {
    JChannel channel = new JChannel(config);
    channel.setReceiver(new Counter(stack));
    channel.connect("bench-" + stack);
    return channel;
  }

  /** Multicasts count messages; JGroups' flow control (MFC) blocks send() when receivers fall behind. */
  private static void blast(String stack, int phase, long count, int size) throws Exception {
    JChannel channel = channels.get(stack);
    emit("{\"event\":\"blastStart\",\"stack\":\"" + stack + "\",\"phase\":" + phase + ",\"startNs\":"
        + System.nanoTime() + "}");
    for (long i = 0; i < count; i++) {
      byte[] body = new byte[size];
      body[0] = (byte) phase;
      channel.send(new BytesMessage(null, body));
    }
  }

  private static void onCommand(String[] words) throws Exception {
    switch (words[0]) {
      case "expect" -> {
        int phase = Integer.parseInt(words[2]);
        received[phase].set(0);
        expected[phase].set(Long.parseLong(words[3]));
        emit("{\"event\":\"expecting\",\"stack\":\"" + words[1] + "\",\"phase\":" + phase + "}");
      }
      case "blast" -> {
        String stack = words[1];
        int phase = Integer.parseInt(words[2]);
        long count = Long.parseLong(words[3]);
        int size = Integer.parseInt(words[4]);
        // A thread per blast, so all three members can send at once while this one keeps reading commands.
        new Thread(() -> {
          try {
            blast(stack, phase, count, size);
          } catch (Exception e) {
            emit("{\"event\":\"error\",\"message\":\"" + e.toString().replace("\"", "'") + "\"}");
          }
        }).start();
      }
      case "stats" -> {
        Runtime rt = Runtime.getRuntime();
        emit("{\"event\":\"stats\",\"heapUsedBytes\":" + (rt.totalMemory() - rt.freeMemory()) + "}");
      }
      case "exit" -> {
        for (JChannel channel : channels.values()) channel.close();
        System.exit(0);
      }
      default -> emit("{\"event\":\"error\",\"message\":\"unknown command " + words[0] + "\"}");
    }
  }

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < MAX_PHASES; i++) {
      expected[i] = new AtomicLong(-1);
      received[i] = new AtomicLong(0);
    }
    channels.put("sequencer", open("sequencer", System.getProperty("bench.seq.config")));
    channels.put("fifo", open("fifo", System.getProperty("bench.fifo.config")));
    emit("{\"event\":\"ready\",\"pid\":" + ProcessHandle.current().pid() + "}");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (!line.isBlank()) onCommand(line.trim().split(" "));
    }
    for (JChannel channel : channels.values()) channel.close();
  }
}
