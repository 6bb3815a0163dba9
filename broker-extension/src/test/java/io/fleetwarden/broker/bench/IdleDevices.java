package io.fleetwarden.broker.bench;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;

/**
 * The device side of {@link ConnectionMemoryBenchmark}, run in its own JVM so that the client objects
 * (TLS engines, Netty channels) do not count in the broker's heap. Reads device credentials from a file
 * written by the benchmark, then follows commands on stdin: {@code connect K} connects (and subscribes
 * to its commands topic) K more devices with MQTT 5 over mutual TLS, at most {@code inflight} handshakes
 * at a time, and answers {@code connected <total> <nanos> <failures>}; {@code quit} disconnects all
 * and exits. Connected devices stay idle (keep-alive pings only).
 *
 * <p>Args: {@code <port> <credentials file> <inflight>}.
 */
public final class IdleDevices {

    private IdleDevices() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        List<Device> devices = read(Path.of(args[1]));
        int inflight = Integer.parseInt(args[2]);
        // one Netty event loop group for all clients (one per client would cost the client JVM, not the broker)
        ExecutorService netty = Executors.newFixedThreadPool(2);
        MqttClientExecutorConfig executors = MqttClientExecutorConfig.builder().nettyExecutor(netty).nettyThreads(2)
                .build();
        List<Mqtt5AsyncClient> connected = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("connect ")) {
                int k = Integer.parseInt(line.substring(8).trim());
                List<Device> batch = devices.subList(connected.size(), connected.size() + k);
                Semaphore permits = new Semaphore(inflight);
                AtomicInteger failures = new AtomicInteger();
                List<CompletableFuture<?>> all = new ArrayList<>();
                List<Mqtt5AsyncClient> clients = new ArrayList<>();
                long t0 = System.nanoTime();
                for (Device d : batch) {
                    permits.acquire();
                    Mqtt5AsyncClient c = Mqtt5Client.builder().identifier("acme/" + d.id).serverHost("localhost").serverPort(port)
                            .sslConfig(d.ssl).executorConfig(executors).buildAsync();
                    clients.add(c);
                    all.add(c.connect()
                            .thenCompose(ack -> c.subscribeWith().topicFilter("devices/acme/" + d.id + "/commands")
                                    .qos(MqttQos.AT_LEAST_ONCE).send())
                            .whenComplete((r, e) -> {
                                if (e != null) {
                                    failures.incrementAndGet();
                                }
                                permits.release();
                            }));
                }
                try {
                    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(600, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException ignored) {
                    // counted per device in failures
                }
                long nanos = System.nanoTime() - t0;
                connected.addAll(clients);
                System.out.println("connected " + connected.size() + " " + nanos + " " + failures.get());
                System.out.flush();
            } else if (line.equals("quit")) {
                break;
            }
        }
        for (Mqtt5AsyncClient c : connected) {
            c.disconnect();
        }
        Thread.sleep(500);
        System.exit(0);
    }

    record Device(String id, MqttClientSslConfig ssl) {
    }

    static List<Device> read(Path file) throws Exception {
        char[] pw = "device-side".toCharArray();
        DataInputStream data = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(file)));
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate ca = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(bytes(data)));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        int n = data.readInt();
        List<Device> devices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = data.readUTF();
            String algorithm = data.readUTF();
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(bytes(data)));
            Certificate cert = cf.generateCertificate(new ByteArrayInputStream(bytes(data)));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("device", key, pw, new Certificate[] {cert, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            devices.add(new Device(id, MqttClientSslConfig.builder().keyManagerFactory(kmf).trustManagerFactory(tmf)
                    .protocols(List.of("TLSv1.3")).build()));
        }
        return devices;
    }

    private static byte[] bytes(DataInputStream in) throws java.io.IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
