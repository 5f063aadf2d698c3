// A Java emCA server (com.sun.net.httpserver + BouncyCastle), the peer of cryptokit's client half.
//
//   java EmcaJavaServer CONFIG.properties
//
// Binds 127.0.0.1 on an ephemeral port, prints "PORT n", and exits by itself after lifetime.seconds.
// POST .../[PROFILE/]createCertificatesByIdWithMultipleCsrData only (anything else: HTTP 404). It checks
// the emKey header, opens requestData with the envelope profile, checks user and password, verifies every
// CMS in the signature field with BouncyCastle against the registered certificate, and checks the signed
// content against the expected CSRs (csr.dir/ID.der) byte for byte, in either framing. It then issues one
// certificate per CSR from its own CA (ca.out) with the requested validity and answers in the seed's
// wrapped form {"response": "<JSON>"}. Appends "CHECKED ..." to log.file for every request it verified.

import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

public final class EmcaJavaServer {
    static final String METHOD = "createCertificatesByIdWithMultipleCsrData";
    static final List<String> PROFILES = List.of("aes-256-gcm", "aes-256-cbc", "aes-256-cbc-hmac-sha256", "aes-256-ecb");

    static Properties config;
    static X509Certificate registered;
    static KeyPair caKeys;
    static X509CertificateHolder caCert;

    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        config = new Properties();
        try (FileInputStream in = new FileInputStream(args[0])) {
            config.load(in);
        }
        registered = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new FileInputStream(config.getProperty("signer.cert")));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        caKeys = g.generateKeyPair();
        X500Name caName = new X500Name("CN=Java emCA test CA,O=cryptokit interop");
        Date now = new Date();
        caCert = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, new Date(now.getTime() - 3_600_000L),
                new Date(now.getTime() + 365L * 86_400_000L), caName, caKeys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .build(signer());
        Files.write(Path.of(config.getProperty("ca.out")), caCert.getEncoded());

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", EmcaJavaServer::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        long lifetime = Long.parseLong(config.getProperty("lifetime.seconds", "120"));
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(lifetime * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(3);
        });
        stopper.setDaemon(true);
        stopper.start();
        System.out.println("PORT " + server.getAddress().getPort());
        System.out.flush();
    }

    static synchronized void log(String line) throws IOException {
        Files.writeString(Path.of(config.getProperty("log.file")), line + "\n", StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    static ContentSigner signer() throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
    }

    static void answer(HttpExchange ex, int status, Map<String, String> doc) throws IOException {
        Map<String, String> wrapper = new LinkedHashMap<>();
        wrapper.put("response", EmcaWire.object(doc));
        byte[] body = EmcaWire.object(wrapper).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static void failure(HttpExchange ex, int status, String subscriber, String text) throws IOException {
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put("status", "Failure");
        doc.put("result", text);
        doc.put("subscriberId", subscriber);
        answer(ex, status, doc);
    }

    static void handle(HttpExchange ex) throws IOException {
        try {
            serve(ex);
        } catch (Exception e) {
            log("ERROR " + e);
            failure(ex, 200, null, "Internal server error");
        } finally {
            ex.close();
        }
    }

    static void serve(HttpExchange ex) throws Exception {
        String[] segments = Arrays.stream(ex.getRequestURI().getPath().split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        if (!"POST".equals(ex.getRequestMethod()) || segments.length == 0 || !METHOD.equals(segments[segments.length - 1])) {
            failure(ex, 404, null, "Invalid request details found");
            return;
        }
        String profile = segments.length >= 2 && PROFILES.contains(segments[segments.length - 2]) ? segments[segments.length - 2] : "aes-256-gcm";
        if (!config.getProperty("emkey").equals(ex.getRequestHeaders().getFirst("emKey"))) {
            failure(ex, 200, null, "Invalid request details found");
            return;
        }
        byte[] raw;
        try (InputStream in = ex.getRequestBody()) {
            raw = in.readAllBytes();
        }
        Map<String, Object> outer = EmcaWire.asObject(EmcaWire.parse(new String(raw, StandardCharsets.UTF_8)));
        Map<String, Object> inner;
        try {
            byte[] plain = EmcaWire.open(EmcaWire.hex(config.getProperty("aes.key.hex")), profile, EmcaWire.unb64((String) outer.get("requestData")));
            inner = EmcaWire.asObject(EmcaWire.parse(new String(plain, StandardCharsets.UTF_8)));
        } catch (Exception e) {
            failure(ex, 200, null, "Invalid input data");
            return;
        }
        String subscriber = (String) inner.get("subscriberId");
        if (!config.getProperty("user").equals(inner.get("userName")) || !config.getProperty("user").equals(outer.get("userName"))
                || !config.getProperty("password").equals(inner.get("password"))) {
            failure(ex, 200, subscriber, "Invalid request details found");
            return;
        }
        String profileId = (String) inner.get("profileID");
        if (!config.getProperty("profile.id").equals(profileId)) {
            failure(ex, 200, subscriber, profileId + " profile does not exist");
            return;
        }
        // the signature: per-CSR "ID|base64(CMS)~..." or one CMS over "ID|base64(DER)~..."
        String signature = (String) inner.get("signature");
        Map<String, byte[]> signed = new LinkedHashMap<>();
        String framing;
        if (signature.contains("|")) {
            framing = "per-csr";
            for (String part : signature.split("~")) {
                String[] idAndCms = part.split("\\|", 2);
                byte[] content = EmcaWire.cmsVerify(EmcaWire.unb64(idAndCms[1]), registered);
                if (content == null) {
                    failure(ex, 200, subscriber, "Signature verification failed");
                    return;
                }
                signed.put(idAndCms[0], content);
            }
        } else {
            framing = "joined";
            byte[] content = EmcaWire.cmsVerify(EmcaWire.unb64(signature), registered);
            if (content == null) {
                failure(ex, 200, subscriber, "Signature verification failed");
                return;
            }
            for (String part : new String(content, StandardCharsets.US_ASCII).split("~")) {
                String[] idAndCsr = part.split("\\|", 2);
                signed.put(idAndCsr[0], EmcaWire.unb64(idAndCsr[1]));
            }
        }
        // byte for byte against the CSRs the test expects
        Path dir = Path.of(config.getProperty("csr.dir"));
        List<String> expected = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".der")).sorted().forEach(n -> expected.add(n.substring(0, n.length() - 4)));
        }
        List<String> got = new ArrayList<>(signed.keySet());
        got.sort(null);
        if (!got.equals(expected)) {
            failure(ex, 200, subscriber, "Please enter valid data");
            return;
        }
        for (Map.Entry<String, byte[]> e : signed.entrySet()) {
            if (!Arrays.equals(Files.readAllBytes(dir.resolve(e.getKey() + ".der")), e.getValue())) {
                failure(ex, 200, subscriber, "Please enter valid data");
                return;
            }
        }
        // issue
        long seconds = 365L * 86_400L;
        Object validity = inner.get("validity");
        if (validity != null) {
            String[] f = ((String) validity).split(":");
            seconds = ((Long.parseLong(f[0]) * 24 + Long.parseLong(f[1])) * 60 + Long.parseLong(f[2])) * 60 + Long.parseLong(f[3]);
        }
        Date start = new Date((System.currentTimeMillis() / 1000L) * 1000L);
        List<X509CertificateHolder> issued = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : signed.entrySet()) {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(e.getValue());
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                failure(ex, 200, subscriber, "Please enter valid data");
                return;
            }
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(caCert.getSubject(),
                new BigInteger(64, EmcaWire.RANDOM).add(BigInteger.ONE), start, new Date(start.getTime() + seconds * 1000L),
                csr.getSubject(), csr.getSubjectPublicKeyInfo());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            issued.add(b.build(signer()));
        }
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addCertificates(new JcaCertStore(issued));
        String result = EmcaWire.b64(gen.generate(new CMSAbsentContent(), false).getEncoded(), "plain");
        log("CHECKED framing=" + framing + " profile=" + profile + " csrs=" + signed.size() + " content=byte-for-byte");
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put("status", "Success");
        doc.put("result", result);
        doc.put("subscriberId", subscriber);
        answer(ex, 200, doc);
    }
}
