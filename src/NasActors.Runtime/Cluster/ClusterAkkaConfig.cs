using System.Globalization;
using Akka.Configuration;

namespace NasActors.Runtime.Cluster;

/// <summary>
/// The Akka side of a cluster node: remoting on the node's address, cluster roles and seeds, failure detection and
/// split-brain resolution tuned for failover in about 10 s (ENVIRONMENT.md), singleton and pub-sub timings, and
/// serialization that refuses any message without a NasActors manifest.
/// </summary>
public static class ClusterAkkaConfig
{
    public const string SystemName = "nas";

    /// <param name="tls">With TLS, addresses use the akka.ssl.tcp scheme.</param>
    public static string SeedAddress(string seed, bool tls)
    {
        var (host, port) = ClusterSettings.ParseSeed(seed, "--seeds");
        return $"akka.{(tls ? "ssl.tcp" : "tcp")}://{SystemName}@{host}:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    public static Config Build(ClusterSettings s)
    {
        static string Quote(string v) => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var roles = string.Join(", ", s.Roles.Select(Quote));
        var seeds = string.Join(", ", s.Seeds.Select(x => Quote(SeedAddress(x, s.Tls.Enabled))));
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              # Nodes log to stdout (run-cluster.sh keeps it in STORE/nodes/NODE.log); a client only logs problems.
              loglevel = {{(s.Roles.Contains(ClusterSettings.ClientRole) ? "ERROR" : "INFO")}}
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = cluster
              remote {
                dot-netty.tcp {
                  hostname = {{Quote(s.Hostname)}}
                  port = {{s.Port}}
                }
                # A dead node's address is retried soon: a restarted node on the same port rejoins quickly.
                retry-gate-closed-for = 1s
                # Connections come and go with clients and failed nodes; the cluster logs what matters.
                log-remote-lifecycle-events = off
              }
              cluster {
                roles = [{{roles}}]
                seed-nodes = [{{seeds}}]
                seed-node-timeout = 2s
                retry-unsuccessful-join-after = 2s
                # Unreachable after ~3 s of silence; the split-brain resolver downs the minority side 5 s after the
                # membership is stable. Never auto-down: a partition must not give two coordinators.
                failure-detector {
                  heartbeat-interval = 1s
                  acceptable-heartbeat-pause = 3s
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = 5s
                  down-all-when-unstable = on
                }
                down-removal-margin = 1s
                auto-down-unreachable-after = off
                run-coordinated-shutdown-when-down = on
                singleton {
                  singleton-name = "{{CoordinatorProtocol.SingletonName}}"
                  role = "{{ClusterSettings.ControllerRole}}"
                  hand-over-retry-interval = 1s
                }
                singleton-proxy {
                  singleton-name = "{{CoordinatorProtocol.SingletonName}}"
                  role = "{{ClusterSettings.ControllerRole}}"
                  singleton-identification-interval = 1s
                  buffer-size = 1000
                }
                pub-sub.gossip-interval = 1s
              }
              coordinated-shutdown {
                run-by-clr-shutdown-hook = on
                exit-clr = off
              }
            }
            """);
        return config.WithFallback(Hosting.AkkaConfig.RemoteSerialization);
    }
}
