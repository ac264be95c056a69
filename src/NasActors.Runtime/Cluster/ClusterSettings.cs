using System.Collections.Immutable;
using System.Net;
using NasActors.Core;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Cluster;

/// <summary>One cluster node's settings (nas.cluster.*, see reference.conf), typed and validated once.</summary>
public sealed record ClusterSettings(
    ImmutableArray<string> Roles,
    string Hostname,
    int Port,
    ImmutableArray<string> Seeds,
    ImmutableArray<string> Devices,
    string Journal,
    string PostgresConnectionString,
    TimeSpan AnnounceInterval,
    TimeSpan RetryInterval,
    bool AllowInsecure,
    TlsSettings Tls)
{
    public const string ControllerRole = "controller";
    public const string TrainerRole = "trainer";
    /// <summary>`nas search --cluster`: submits an experiment and follows it; hosts nothing.</summary>
    public const string ClientRole = "client";

    public bool IsController => Roles.Contains(ControllerRole);
    public bool IsTrainer => Roles.Contains(TrainerRole);

    public static ClusterSettings Create(Akka.Configuration.Config config, string source)
    {
        var r = new ConfigReader(config, source);
        var roles = r.StringList("nas.cluster.roles");
        if (roles.IsEmpty) throw new NasUserException($"nas.cluster.roles in {source} is empty; use controller, trainer or both");
        foreach (var role in roles)
            if (role is not (ControllerRole or TrainerRole or ClientRole))
                throw new NasUserException($"nas.cluster.roles in {source} has '{role}'; use controller and/or trainer");
        var host = r.String("nas.cluster.hostname");
        if (string.IsNullOrWhiteSpace(host)) throw new NasUserException($"nas.cluster.hostname in {source} is empty; give the address other nodes reach this one by");
        var seeds = r.StringList("nas.cluster.seeds");
        foreach (var s in seeds) ParseSeed(s, source);
        var devices = r.StringList("nas.cluster.devices");
        if (roles.Contains(TrainerRole) && devices.IsEmpty)
            throw new NasUserException($"nas.cluster.devices in {source} is empty; a trainer node needs at least one device, e.g. --devices cpu");
        foreach (var d in devices)
            if (!NasSettings.IsDevice(d))
                throw new NasUserException($"nas.cluster.devices in {source} has '{d}'; use cpu or cuda:N (e.g. --devices cuda:0,cuda:1)");
        var journal = r.String("nas.cluster.journal");
        if (journal is not ("sqlite" or "postgres"))
            throw new NasUserException($"nas.cluster.journal = '{journal}' in {source}; use sqlite or postgres");
        var tls = new TlsSettings(r.Bool("nas.cluster.tls.enabled"), r.String("nas.cluster.tls.certificate"),
            Environment.GetEnvironmentVariable(TlsSettings.PasswordVariable) is { Length: > 0 } pw ? pw : r.String("nas.cluster.tls.password"),
            r.String("nas.cluster.tls.ca"));
        var settings = new ClusterSettings(roles, host, r.Int("nas.cluster.port", 0, 65535), seeds, devices, journal,
            r.String("nas.cluster.postgres.connection-string"), r.Duration("nas.cluster.announce-interval"), r.Duration("nas.cluster.retry-interval"),
            r.Bool("nas.cluster.allow-insecure"), tls);
        settings.Check(source);
        return settings;
    }

    private void Check(string source)
    {
        if (Tls.Enabled) Tls.Check(source);
        else if (!AllowInsecure && !IsLoopback(Hostname))
            throw new NasUserException($"refusing to bind {Hostname} without TLS: anyone who reaches the port could join the cluster. Turn on nas.cluster.tls (see cluster/README.md), or pass --allow-insecure (nas.cluster.allow-insecure = on) on a trusted network");
        if (Seeds.IsEmpty && !IsController)
            throw new NasUserException($"a {string.Join(",", Roles)} node needs --seeds host:port of the cluster's controller nodes ({source})");
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    public static (string Host, int Port) ParseSeed(string seed, string source)
    {
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new NasUserException($"seed '{seed}' in {source} is not host:port, e.g. 10.0.0.5:25520");
        return (seed[..colon], port);
    }
}
