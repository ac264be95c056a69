using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NasActors.Core;
using NasActors.Runtime.Cluster;

namespace NasActors.Runtime.Tests.Cluster;

/// <summary>
/// The peer check of mutual TLS (certificates made here, in memory): only a certificate of the cluster's CA that allows
/// both server and client authentication is accepted; an unreadable CA file is one line. (ClusterTests runs real TLS
/// nodes with cluster/make-certs.sh's certificates.)
/// </summary>
public sealed class ClusterTlsTests
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1", ClientAuth = "1.3.6.1.5.5.7.3.2";

    private static X509Certificate2 Ca(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Node(X509Certificate2 ca, params string[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=node", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var u in usages) oids.Add(new Oid(u));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }
        return req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [1, 2, 3, 4]);
    }

    [Fact]
    public void ClusterTls_must_accept_a_certificate_of_the_cluster_CA_for_server_and_client_authentication()
    {
        using var ca = Ca("cluster");
        using var node = Node(ca, ServerAuth, ClientAuth);
        Assert.True(ClusterTls.Chains(node, ca, out var why), why);
    }

    [Theory]
    [InlineData(ServerAuth)] // cannot be the client of a connection
    [InlineData(ClientAuth)] // cannot be the server
    [InlineData("1.3.6.1.5.5.7.3.4")] // e-mail protection only
    public void ClusterTls_must_refuse_a_certificate_without_both_key_usages(string usage)
    {
        using var ca = Ca("cluster");
        using var node = Node(ca, usage);
        Assert.False(ClusterTls.Chains(node, ca, out var why));
        Assert.Contains("NotValidForUsage", why);
    }

    [Fact]
    public void ClusterTls_must_refuse_a_certificate_of_another_CA()
    {
        using var ca = Ca("cluster");
        using var other = Ca("other");
        using var node = Node(other, ServerAuth, ClientAuth);
        Assert.False(ClusterTls.Chains(node, ca, out _));
    }

    [Fact]
    public void ClusterTls_must_report_an_unreadable_CA_file_in_one_line()
    {
        // A file that exists but cannot be read (EIO on read; for a non-root user, a CA file of mode 600 fails the same
        // way, with permission denied).
        const string path = "/proc/self/mem";
        var e = Assert.Throws<NasUserException>(() => ClusterTls.LoadCa(path));
        Assert.StartsWith($"cannot read the cluster CA certificate {path} (", e.Message);
        Assert.EndsWith("make it readable for the user that runs this node", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
