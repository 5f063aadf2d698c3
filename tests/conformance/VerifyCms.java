// Verifies CMS SignedData files with BouncyCastle: java -cp bcprov:bcpkix:bcutil VerifyCms.java CMS CONTENT|- ...
// Prints "OK <file> <signers>" per file; any failure throws (non-zero exit).
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.Security;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.Store;

public class VerifyCms {
    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        for (int i = 0; i + 1 < args.length; i += 2) {
            byte[] der = Files.readAllBytes(Paths.get(args[i]));
            CMSSignedData signed = args[i + 1].equals("-")
                ? new CMSSignedData(der)
                : new CMSSignedData(new CMSProcessableByteArray(Files.readAllBytes(Paths.get(args[i + 1]))), der);
            Store<X509CertificateHolder> certs = signed.getCertificates();
            int verified = 0;
            for (SignerInformation signer : signed.getSignerInfos().getSigners()) {
                @SuppressWarnings("unchecked")
                X509CertificateHolder cert = (X509CertificateHolder) certs.getMatches(signer.getSID()).iterator().next();
                if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(cert))) {
                    throw new IllegalStateException("signature does not verify: " + args[i]);
                }
                verified++;
            }
            if (verified == 0) {
                throw new IllegalStateException("no signer: " + args[i]);
            }
            System.out.println("OK " + args[i] + " " + verified);
        }
    }
}
