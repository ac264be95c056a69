using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using NasActors.Core;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// Mutual TLS between nodes, trusting only the cluster's own CA. Akka's HOCON can only validate peers against the
/// system trust store (which our private CA is not in, and which would also admit any publicly trusted certificate),
/// so the node's certificate and a validator that accepts exactly the chains ending at our CA go in through
/// <see cref="DotNettySslSetup"/>.
/// </summary>
internal static class ClusterTls
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1"), ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static Config Config => ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp {
          enable-ssl = true
          ssl {
            suppress-validation = false
            require-mutual-authentication = true
            validate-certificate-hostname = false
          }
        }
        """);

    public static ActorSystemSetup Setup(TlsSettings tls, Config config)
    {
        X509Certificate2 own, ca;
        try { own = X509CertificateLoader.LoadPkcs12FromFile(tls.Certificate, tls.Password); }
        catch (CryptographicException e)
        {
            throw new NasUserException($"cannot read the TLS certificate {tls.Certificate} ({e.Message.TrimEnd('.')}); check {TlsSettings.PasswordVariable} and the file (cluster/make-certs.sh makes one)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasUserException($"cannot read the TLS certificate {tls.Certificate} ({Unreadable(e)}); make it readable for the user that runs this node");
        }
        try { ca = LoadCa(tls.Ca); }
        catch (CryptographicException e)
        {
            throw new NasUserException($"cannot read the cluster CA certificate {tls.Ca} ({e.Message.TrimEnd('.')}); point nas.cluster.tls.ca at the CA's ca.crt");
        }
        var ssl = new DotNettySslSetup(own, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            customValidator: TrustOnly(ca));
        return BootstrapSetup.Create().WithConfig(config).And(ssl);
    }

    private static string Unreadable(Exception e) => e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');

    /// <summary>The cluster CA's certificate; an unreadable file is one line (the CA is public: mode 644 is fine).</summary>
    internal static X509Certificate2 LoadCa(string path)
    {
        // Read here, not by the loader: it reports an unreadable file as corrupt data.
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasUserException($"cannot read the cluster CA certificate {path} ({Unreadable(e)}); make it readable for the user that runs this node");
        }
        return X509CertificateLoader.LoadCertificate(bytes);
    }

    /// <summary>The peer's certificate must chain to exactly <paramref name="ca"/> and allow both server and client authentication.</summary>
    private static CertificateValidationCallback TrustOnly(X509Certificate2 ca) => (cert, _, peer, _, log) =>
    {
        if (cert is null)
        {
            log.Warning("TLS peer {0} presented no certificate: refused", peer);
            return false;
        }
        var ok = Chains(cert, ca, out var why);
        if (!ok)
            log.Error("TLS peer {0} refused: certificate '{1}' issued by '{2}' does not chain to the cluster CA ({3})", peer, cert.Subject, cert.Issuer, why);
        return ok;
    };

    /// <summary>Whether <paramref name="cert"/> chains to exactly <paramref name="ca"/> with both server and client authentication; else why not.</summary>
    internal static bool Chains(X509Certificate2 cert, X509Certificate2 ca, out string why)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuth);
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuth);
        var ok = chain.Build(cert) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(ca.RawData);
        why = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
        return ok;
    }
}
