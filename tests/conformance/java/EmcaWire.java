// emCA wire pieces for the Java peers of cryptokit's interop tests: a small JSON reader/writer,
// the envelope profiles (as cryptokit's README defines them), base64 forms, CMS signing and checks.
// Plain JDK + BouncyCastle (Debian: libbcprov-java, libbcpkix-java), no other library.

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

final class EmcaWire {
    private EmcaWire() {}

    static final SecureRandom RANDOM = new SecureRandom();
    static final String HKDF_INFO = "cryptokit envelope aes-256-cbc-hmac-sha256";

    // --- JSON ------------------------------------------------------------------------------

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String object(Map<String, String> fields) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (b.length() > 1) b.append(',');
            b.append(quote(e.getKey())).append(':').append(e.getValue() == null ? "null" : quote(e.getValue()));
        }
        return b.append('}').toString();
    }

    /** A JSON value: Map, List, String, Boolean, null, or a number kept as its text. */
    static Object parse(String text) {
        int[] pos = {0};
        Object v = value(text, pos);
        skip(text, pos);
        if (pos[0] != text.length()) throw new IllegalArgumentException("trailing data in JSON");
        return v;
    }

    private static void skip(String t, int[] p) {
        while (p[0] < t.length() && Character.isWhitespace(t.charAt(p[0]))) p[0]++;
    }

    private static Object value(String t, int[] p) {
        skip(t, p);
        char c = t.charAt(p[0]);
        if (c == '{') {
            Map<String, Object> m = new LinkedHashMap<>();
            p[0]++;
            skip(t, p);
            if (t.charAt(p[0]) == '}') { p[0]++; return m; }
            while (true) {
                skip(t, p);
                String k = string(t, p);
                skip(t, p);
                if (t.charAt(p[0]++) != ':') throw new IllegalArgumentException("expected :");
                m.put(k, value(t, p));
                skip(t, p);
                char d = t.charAt(p[0]++);
                if (d == '}') return m;
                if (d != ',') throw new IllegalArgumentException("expected , or }");
            }
        }
        if (c == '[') {
            List<Object> l = new ArrayList<>();
            p[0]++;
            skip(t, p);
            if (t.charAt(p[0]) == ']') { p[0]++; return l; }
            while (true) {
                l.add(value(t, p));
                skip(t, p);
                char d = t.charAt(p[0]++);
                if (d == ']') return l;
                if (d != ',') throw new IllegalArgumentException("expected , or ]");
            }
        }
        if (c == '"') return string(t, p);
        if (t.startsWith("null", p[0])) { p[0] += 4; return null; }
        if (t.startsWith("true", p[0])) { p[0] += 4; return Boolean.TRUE; }
        if (t.startsWith("false", p[0])) { p[0] += 5; return Boolean.FALSE; }
        int start = p[0];
        while (p[0] < t.length() && "+-0123456789.eE".indexOf(t.charAt(p[0])) >= 0) p[0]++;
        if (start == p[0]) throw new IllegalArgumentException("bad JSON value");
        return t.substring(start, p[0]);
    }

    private static String string(String t, int[] p) {
        if (t.charAt(p[0]++) != '"') throw new IllegalArgumentException("expected string");
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = t.charAt(p[0]++);
            if (c == '"') return b.toString();
            if (c != '\\') { b.append(c); continue; }
            char e = t.charAt(p[0]++);
            switch (e) {
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'u': b.append((char) Integer.parseInt(t.substring(p[0], p[0] + 4), 16)); p[0] += 4; break;
                default: b.append(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asObject(Object o) {
        if (!(o instanceof Map)) throw new IllegalArgumentException("not a JSON object");
        return (Map<String, Object>) o;
    }

    /** The answer object: inside the seed's "response" parameter (a string or an object), or bare. */
    static Map<String, Object> unwrap(String body) {
        Map<String, Object> doc = asObject(parse(body));
        if (doc.containsKey("status") || !doc.containsKey("response")) return doc;
        Object inner = doc.get("response");
        return inner instanceof String ? asObject(parse((String) inner)) : asObject(inner);
    }

    // --- base64 ----------------------------------------------------------------------------

    static String b64(byte[] data, String form) {
        if ("mime".equals(form)) return Base64.getMimeEncoder().encodeToString(data); // 76 chars, CRLF
        return Base64.getEncoder().encodeToString(data);
    }

    static byte[] unb64(String text) {
        return Base64.getMimeDecoder().decode(text); // also reads unwrapped base64
    }

    // --- envelope profiles -----------------------------------------------------------------

    static byte[] seal(byte[] key, String profile, byte[] plaintext) throws Exception {
        switch (profile) {
            case "aes-256-gcm": {
                byte[] iv = new byte[12];
                RANDOM.nextBytes(iv);
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
                return concat(iv, c.doFinal(plaintext));
            }
            case "aes-256-cbc": {
                byte[] iv = new byte[16];
                RANDOM.nextBytes(iv);
                return concat(iv, cbc(Cipher.ENCRYPT_MODE, key, iv, plaintext));
            }
            case "aes-256-cbc-hmac-sha256": {
                byte[][] keys = hkdfKeys(key);
                byte[] iv = new byte[16];
                RANDOM.nextBytes(iv);
                byte[] ct = cbc(Cipher.ENCRYPT_MODE, keys[0], iv, plaintext);
                return concat(concat(iv, ct), mac(keys[1], iv, ct));
            }
            case "aes-256-ecb": {
                Cipher c = Cipher.getInstance("AES/ECB/PKCS5Padding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
                return c.doFinal(plaintext);
            }
            default: throw new IllegalArgumentException("unknown profile " + profile);
        }
    }

    static byte[] open(byte[] key, String profile, byte[] token) throws Exception {
        switch (profile) {
            case "aes-256-gcm": {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, token, 0, 12));
                return c.doFinal(token, 12, token.length - 12);
            }
            case "aes-256-cbc":
                return cbc(Cipher.DECRYPT_MODE, key, slice(token, 0, 16), slice(token, 16, token.length));
            case "aes-256-cbc-hmac-sha256": {
                byte[][] keys = hkdfKeys(key);
                byte[] iv = slice(token, 0, 16);
                byte[] ct = slice(token, 16, token.length - 32);
                byte[] tag = slice(token, token.length - 32, token.length);
                if (!java.security.MessageDigest.isEqual(tag, mac(keys[1], iv, ct))) throw new SecurityException("MAC");
                return cbc(Cipher.DECRYPT_MODE, keys[0], iv, ct);
            }
            case "aes-256-ecb": {
                Cipher c = Cipher.getInstance("AES/ECB/PKCS5Padding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"));
                return c.doFinal(token);
            }
            default: throw new IllegalArgumentException("unknown profile " + profile);
        }
    }

    private static byte[] cbc(int mode, byte[] key, byte[] iv, byte[] data) throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c.doFinal(data);
    }

    private static byte[][] hkdfKeys(byte[] key) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
        g.init(new HKDFParameters(key, null, HKDF_INFO.getBytes(StandardCharsets.US_ASCII)));
        byte[] okm = new byte[64];
        g.generateBytes(okm, 0, 64);
        return new byte[][] {slice(okm, 0, 32), slice(okm, 32, 64)};
    }

    private static byte[] mac(byte[] key, byte[] iv, byte[] ct) throws Exception {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        m.update(iv);
        return m.doFinal(ct);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] slice(byte[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    // --- CMS -------------------------------------------------------------------------------

    static String signatureAlgorithm(PrivateKey key) {
        return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    }

    /** An attached CMS SignedData over content: "der", "ber" (BC's BER encoding) or "stream" (streamed, chunked). */
    static byte[] cmsSign(byte[] content, PrivateKey key, X509Certificate cert, String form) throws Exception {
        ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(key)).build(key);
        JcaSignerInfoGeneratorBuilder info = new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build());
        JcaCertStore certs = new JcaCertStore(List.of(cert));
        if ("stream".equals(form)) {
            CMSSignedDataStreamGenerator gen = new CMSSignedDataStreamGenerator();
            gen.addSignerInfoGenerator(info.build(signer, cert));
            gen.addCertificates(certs);
            gen.setBufferSize(100); // content in 100-byte chunks: a constructed OCTET STRING
            ByteArrayOutputStream bOut = new ByteArrayOutputStream();
            OutputStream out = gen.open(bOut, true);
            out.write(content);
            out.close();
            return bOut.toByteArray();
        }
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(info.build(signer, cert));
        gen.addCertificates(certs);
        CMSSignedData signed = gen.generate(new CMSProcessableByteArray(content), true);
        return signed.getEncoded("der".equals(form) ? "DER" : "BER");
    }

    /** The signed content when the CMS verifies with the registered certificate; null otherwise. */
    static byte[] cmsVerify(byte[] cms, X509Certificate registered) {
        try {
            CMSSignedData signed = new CMSSignedData(cms);
            X509CertificateHolder holder = new X509CertificateHolder(registered.getEncoded());
            int good = 0;
            for (SignerInformation si : signed.getSignerInfos().getSigners()) {
                if (!si.getSID().match(holder)) return null;
                if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(registered))) return null;
                good++;
            }
            if (good == 0 || signed.getSignedContent() == null) return null;
            return (byte[]) signed.getSignedContent().getContent();
        } catch (Exception e) {
            return null;
        }
    }
}
