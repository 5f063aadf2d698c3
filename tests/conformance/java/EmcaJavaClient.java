// A Java emCA client (JDK + BouncyCastle), the peer of cryptokit's server half in the interop tests.
//
//   java EmcaJavaClient make-p12 OUT.p12 PASSWORD rsa|ec   BouncyCastle PKCS#12 (KeyStore "PKCS12", provider BC)
//   java EmcaJavaClient run CONFIG.properties              one createCertificatesByIdWithMultipleCsrData per case
//
// Per case it makes two key pairs and BouncyCastle CSRs, signs them with the key of a PKCS#12 (keytool or
// BouncyCastle) as CMS in DER, BER or streamed form (per-CSR "ID|base64~..." or one joined CMS), seals the
// inner JSON with the case's envelope profile, base64 plain or MIME (76 characters, CRLF), POSTs it to
// URL/PROFILE/METHOD and checks the answer: the seed's "response" wrapper, status, and for every CSR a
// certificate with its key and subject, signed by the CA. Prints "RESULT name OK ..." or "RESULT name FAIL why".

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

public final class EmcaJavaClient {
    static final String METHOD = "createCertificatesByIdWithMultipleCsrData";

    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        if (args.length == 4 && "make-p12".equals(args[0])) {
            makeP12(args[1], args[2].toCharArray(), args[3]);
        } else if (args.length == 2 && "run".equals(args[0])) {
            run(args[1]);
        } else {
            System.err.println("usage: make-p12 OUT PASSWORD rsa|ec | run CONFIG");
            System.exit(2);
        }
    }

    static KeyPair keyPair(String kind) throws Exception {
        if ("rsa".equals(kind)) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static void makeP12(String out, char[] password, String kind) throws Exception {
        KeyPair kp = keyPair(kind);
        X500Name name = new X500Name("CN=BouncyCastle PKCS12 signer,O=cryptokit interop");
        Date now = new Date();
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(now.getTime()), new Date(now.getTime() - 3_600_000L),
                new Date(now.getTime() + 30L * 86_400_000L), name, kp.getPublic())
            .build(new JcaContentSignerBuilder(EmcaWire.signatureAlgorithm(kp.getPrivate())).build(kp.getPrivate()));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
        KeyStore ks = KeyStore.getInstance("PKCS12", "BC");
        ks.load(null, null);
        ks.setKeyEntry("signer", kp.getPrivate(), password, new java.security.cert.Certificate[] {cert});
        try (FileOutputStream fos = new FileOutputStream(out)) {
            ks.store(fos, password);
        }
    }

    static void run(String config) throws Exception {
        Properties p = new Properties();
        try (FileInputStream in = new FileInputStream(config)) {
            p.load(in);
        }
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new FileInputStream(p.getProperty("ca.cert")));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        int count = Integer.parseInt(p.getProperty("case.count"));
        for (int i = 0; i < count; i++) {
            String name = p.getProperty("case." + i + ".name");
            try {
                System.out.println("RESULT " + name + " " + runCase(p, "case." + i + ".", ca, http));
            } catch (Exception e) {
                System.out.println("RESULT " + name + " FAIL " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            System.out.flush();
        }
    }

    static String runCase(Properties p, String c, X509Certificate ca, HttpClient http) throws Exception {
        String profile = p.getProperty(c + "profile");
        String cmsForm = p.getProperty(c + "cms");
        String framing = p.getProperty(c + "framing");
        String b64Form = p.getProperty(c + "b64");
        String expect = p.getProperty(c + "expect", "Success");
        // the signer: a PKCS#12 made by keytool (JDK provider) or by BouncyCastle
        char[] pass = p.getProperty(c + "p12.password").toCharArray();
        KeyStore ks = "bc".equals(p.getProperty(c + "p12.maker")) ? KeyStore.getInstance("PKCS12", "BC") : KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p.getProperty(c + "p12"))) {
            ks.load(in, pass);
        }
        String alias = null;
        for (Enumeration<String> e = ks.aliases(); e.hasMoreElements();) {
            String a = e.nextElement();
            if (ks.isKeyEntry(a)) alias = a;
        }
        PrivateKey key = (PrivateKey) ks.getKey(alias, pass);
        X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
        // two CSRs: EC and RSA keys
        Map<String, PKCS10CertificationRequest> csrs = new LinkedHashMap<>();
        String[] kinds = {"ec", "rsa"};
        for (int k = 0; k < kinds.length; k++) {
            KeyPair kp = keyPair(kinds[k]);
            X500Principal subject = new X500Principal("CN=Java Subscriber " + k + ",O=Acme,C=IN");
            csrs.put("JAVA" + k, new JcaPKCS10CertificationRequestBuilder(subject, kp.getPublic())
                .build(new JcaContentSignerBuilder(EmcaWire.signatureAlgorithm(kp.getPrivate())).build(kp.getPrivate())));
        }
        String signature;
        byte[] first;
        if ("joined".equals(framing)) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, PKCS10CertificationRequest> e : csrs.entrySet()) {
                parts.add(e.getKey() + "|" + EmcaWire.b64(e.getValue().getEncoded(), "plain"));
            }
            first = EmcaWire.cmsSign(String.join("~", parts).getBytes(StandardCharsets.US_ASCII), key, cert, cmsForm);
            signature = EmcaWire.b64(first, b64Form);
        } else {
            List<String> parts = new ArrayList<>();
            first = null;
            for (Map.Entry<String, PKCS10CertificationRequest> e : csrs.entrySet()) {
                byte[] cms = EmcaWire.cmsSign(e.getValue().getEncoded(), key, cert, cmsForm);
                if (first == null) first = cms;
                parts.add(e.getKey() + "|" + EmcaWire.b64(cms, b64Form));
            }
            signature = String.join("~", parts);
        }
        Map<String, String> inner = new LinkedHashMap<>();
        inner.put("applicationId", p.getProperty(c + "app"));
        inner.put("profileID", p.getProperty("profile.id"));
        inner.put("subscriberId", "JAVA-SUB");
        inner.put("validity", "30:00:00:00");
        inner.put("signature", signature);
        String user = p.getProperty(c + "user", p.getProperty("user"));
        inner.put("userName", user);
        inner.put("password", p.getProperty("password"));
        byte[] sealed = EmcaWire.seal(EmcaWire.hex(p.getProperty("aes.key.hex")), profile,
            EmcaWire.object(inner).getBytes(StandardCharsets.UTF_8));
        Map<String, String> outer = new LinkedHashMap<>();
        outer.put("requestData", EmcaWire.b64(sealed, b64Form));
        outer.put("userName", user);
        String method = p.getProperty(c + "method", METHOD);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(p.getProperty("url") + "/" + profile + "/" + method))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(EmcaWire.object(outer)));
        if (!"true".equals(p.getProperty(c + "no.emkey"))) req.header("emKey", p.getProperty("emkey"));
        HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        String shape = String.format("cms=%02x%02x", first[0] & 0xff, first[1] & 0xff);
        Map<String, Object> answer = EmcaWire.unwrap(res.body());
        String status = String.valueOf(answer.get("status"));
        String result = String.valueOf(answer.get("result"));
        if (!"Success".equals(expect)) {
            String got = res.statusCode() + " " + status + " " + result;
            return got.contains(expect) && "Failure".equals(status) ? "OK refused " + got + " " + shape : "FAIL expected " + expect + ", got " + got;
        }
        if (res.statusCode() != 200 || !"Success".equals(status)) return "FAIL " + res.statusCode() + " " + status + " " + result;
        if (!res.body().startsWith("{\"response\":\"")) return "FAIL the answer is not wrapped in response";
        CMSSignedData certsOnly = new CMSSignedData(EmcaWire.unb64(result));
        @SuppressWarnings("unchecked")
        List<X509CertificateHolder> issued = new ArrayList<>(certsOnly.getCertificates().getMatches(null));
        int matched = 0;
        for (Map.Entry<String, PKCS10CertificationRequest> e : csrs.entrySet()) {
            PKCS10CertificationRequest csr = e.getValue();
            for (X509CertificateHolder h : issued) {
                if (h.getSubjectPublicKeyInfo().equals(csr.getSubjectPublicKeyInfo())
                        && h.getSubject().equals(csr.getSubject())
                        && h.isSignatureValid(new JcaContentVerifierProviderBuilder().build(ca))) {
                    long days = (h.getNotAfter().getTime() - h.getNotBefore().getTime()) / 86_400_000L;
                    if (days != 30) return "FAIL validity of " + e.getKey() + " is " + days + " days";
                    matched++;
                }
            }
        }
        if (matched != csrs.size()) return "FAIL matched " + matched + " of " + csrs.size() + " CSRs";
        return "OK certs=" + matched + " " + shape;
    }
}
