using NasActors.Core;

namespace NasActors.Runtime.Cluster;

/// <summary>Mutual TLS between nodes: this node's PKCS#12 certificate and the CA every peer's certificate must chain to.</summary>
public sealed record TlsSettings(bool Enabled, string Certificate, string Password, string Ca)
{
    /// <summary>Overrides nas.cluster.tls.password, so it stays out of files.</summary>
    public const string PasswordVariable = "NAS_TLS_PASSWORD";

    internal void Check(string source)
    {
        if (string.IsNullOrWhiteSpace(Certificate) || !File.Exists(Certificate))
            throw new NasUserException($"nas.cluster.tls.certificate = '{Certificate}' in {source} is not a file; make one with cluster/make-certs.sh");
        if (string.IsNullOrWhiteSpace(Ca) || !File.Exists(Ca))
            throw new NasUserException($"nas.cluster.tls.ca = '{Ca}' in {source} is not a file; point it at the cluster CA's ca.crt");
    }
}
