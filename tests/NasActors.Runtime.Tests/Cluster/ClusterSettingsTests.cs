using NasActors.Core;
using NasActors.Runtime.Cluster;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Tests.Cluster;

public sealed class ClusterSettingsTests
{
    private const string Source = "test";

    private static ClusterSettings Settings(string text) => ClusterSettings.Create(NasConfig.Parse(text, Source), Source);

    private static NasUserException Rejects(string text) => Assert.Throws<NasUserException>(() => Settings(text));

    [Fact]
    public void ClusterSettings_must_accept_the_reference_defaults()
    {
        var s = Settings("");
        Assert.Equal(["controller", "trainer"], s.Roles.AsEnumerable());
        Assert.True(s.IsController);
        Assert.True(s.IsTrainer);
        Assert.Equal(("127.0.0.1", 25520), (s.Hostname, s.Port));
        Assert.Empty(s.Seeds);
        Assert.Equal(["cpu"], s.Devices.AsEnumerable());
        Assert.Equal("sqlite", s.Journal);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)), (s.AnnounceInterval, s.RetryInterval));
        Assert.False(s.AllowInsecure);
        Assert.False(s.Tls.Enabled);
    }

    [Fact]
    public void ClusterSettings_must_accept_a_trainer_node_with_seeds_and_devices()
    {
        var s = Settings("""
            nas.cluster { roles = [trainer], port = 0, seeds = ["10.0.0.5:25520", "localhost:25521"], devices = [cpu, "cuda:0"] }
            """);
        Assert.False(s.IsController);
        Assert.True(s.IsTrainer);
        Assert.Equal(["10.0.0.5:25520", "localhost:25521"], s.Seeds.AsEnumerable());
        Assert.Equal(["cpu", "cuda:0"], s.Devices.AsEnumerable());
        Assert.Equal(("10.0.0.5", 25520), ClusterSettings.ParseSeed(s.Seeds[0], Source));
    }

    [Fact]
    public void ClusterSettings_must_reject_an_unknown_role()
    {
        var e = Rejects("nas.cluster.roles = [controller, worker]");
        Assert.Contains("'worker'", e.Message);
        Assert.Contains(Source, e.Message);
        Assert.Contains("empty", Rejects("nas.cluster.roles = []").Message);
    }

    [Theory]
    [InlineData("host")]
    [InlineData("host:")]
    [InlineData(":25520")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:port")]
    public void ClusterSettings_must_reject_a_seed_that_is_not_host_and_port(string seed)
    {
        var e = Rejects($"nas.cluster.seeds = [\"{seed}\"]");
        Assert.Contains($"seed '{seed}'", e.Message);
        Assert.Contains("host:port", e.Message);
    }

    [Fact]
    public void ClusterSettings_must_refuse_a_non_loopback_hostname_without_TLS_unless_insecure_is_allowed()
    {
        var e = Rejects("nas.cluster.hostname = \"10.0.0.5\"");
        Assert.Contains("10.0.0.5", e.Message);
        Assert.Contains("TLS", e.Message);
        Assert.Contains("allow-insecure", e.Message);
        Rejects("nas.cluster.hostname = \"node-1.example\"");

        Assert.True(Settings("nas.cluster { hostname = \"10.0.0.5\", allow-insecure = on }").AllowInsecure);
        Assert.Equal("localhost", Settings("nas.cluster.hostname = localhost").Hostname);
        Assert.Equal("::1", Settings("nas.cluster.hostname = \"::1\"").Hostname);
    }

    [Fact]
    public void ClusterSettings_must_check_the_TLS_files_when_TLS_is_on()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nas-cluster-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var cert = Path.Combine(dir, "node.p12");
            var ca = Path.Combine(dir, "ca.crt");
            var e = Rejects($"nas.cluster {{ hostname = \"10.0.0.5\", tls {{ enabled = on, certificate = \"{cert}\", ca = \"{ca}\" }} }}");
            Assert.Contains("nas.cluster.tls.certificate", e.Message);
            File.WriteAllText(cert, "not really a certificate");
            Assert.Contains("nas.cluster.tls.ca", Rejects($"nas.cluster {{ hostname = \"10.0.0.5\", tls {{ enabled = on, certificate = \"{cert}\", ca = \"{ca}\" }} }}").Message);
            File.WriteAllText(ca, "not really a CA");
            var s = Settings($"nas.cluster {{ hostname = \"10.0.0.5\", tls {{ enabled = on, certificate = \"{cert}\", ca = \"{ca}\" }} }}");
            Assert.True(s.Tls.Enabled);
            Assert.Equal((cert, ca), (s.Tls.Certificate, s.Tls.Ca));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ClusterSettings_must_refuse_a_trainer_node_without_devices()
    {
        var e = Rejects("nas.cluster { roles = [trainer], seeds = [\"127.0.0.1:25520\"], devices = [] }");
        Assert.Contains("nas.cluster.devices", e.Message);
        // A controller-only node runs no trainers: no devices needed.
        Assert.Empty(Settings("nas.cluster { roles = [controller], devices = [] }").Devices);
    }

    [Fact]
    public void ClusterSettings_must_refuse_a_node_that_is_not_a_controller_without_seeds()
    {
        var e = Rejects("nas.cluster.roles = [trainer]");
        Assert.Contains("--seeds", e.Message);
    }

    [Theory]
    [InlineData("mysql")]
    [InlineData("")]
    [InlineData("SQLite")]
    public void ClusterSettings_must_reject_a_journal_that_is_not_sqlite_or_postgres(string journal)
    {
        var e = Rejects($"nas.cluster.journal = \"{journal}\"");
        Assert.Contains($"nas.cluster.journal = '{journal}'", e.Message);
        Assert.Contains("sqlite or postgres", e.Message);
        Assert.Equal("postgres", Settings("nas.cluster.journal = postgres").Journal);
    }
}
