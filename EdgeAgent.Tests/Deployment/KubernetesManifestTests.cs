using System.CommandLine;
using EdgeAgent.Cli;
using EdgeAgent.Commands;
using EdgeAgent.Configuration;
using EdgeAgent.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EdgeAgent.Tests.Deployment;

/// <summary>
/// deploy/k8s: valid against the Kubernetes API schemas (kubernetes-models, run with node: an implementation of
/// its own), and consistent with the agent: ROBOT_ID from the pod's name, CLOUD_ENDPOINT the receiver's Service,
/// the robots' environment a valid configuration, the receiver's arguments a valid command line, the store the
/// database's Service.
/// </summary>
[Category("Deployment")]
public sealed class KubernetesManifestTests
{
    private static readonly string Dir = Path.Combine(RepoPaths.Root, "deploy", "k8s");
    private static readonly string[] Manifests = ["namespace.yaml", "postgres.yaml", "receiver.yaml", "robots.yaml"];

    [Test]
    public void Manifests_ValidAgainstTheKubernetesSchemas()
    {
        string work = Directory.CreateTempSubdirectory("edge-agent-k8s-").FullName;
        try
        {
            File.Copy(Path.Combine(Dir, "validate", "package.json"), Path.Combine(work, "package.json"));
            File.Copy(Path.Combine(Dir, "validate", "validate.mjs"), Path.Combine(work, "validate.mjs"));
            Run(work, TimeSpan.FromMinutes(10), "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");

            string output = Run(work, TimeSpan.FromMinutes(2), "node", ["validate.mjs", .. Manifests.Select(m => Path.Combine(Dir, m))]);

            Assert.That(output, Does.Contain("7 valid, 0 problem(s)"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Test]
    public void Kustomization_ListsEveryManifest()
    {
        YamlMappingNode kustomization = Documents("kustomization.yaml").Single();
        var resources = ((YamlSequenceNode)kustomization["resources"]).Select(n => n.ToString()).ToArray();
        string[] files = [.. Directory.GetFiles(Dir, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order()!];

        Assert.That(resources.Order(), Is.EqualTo(files));
    }

    [Test]
    public void Robots_RobotIdFromThePodName_CloudEndpointTheReceiversService_EnvironmentAValidConfiguration()
    {
        YamlMappingNode robots = Find("robots.yaml", "Deployment", "sim-robot");
        YamlMappingNode container = Containers(robots).Single();
        Dictionary<string, YamlMappingNode> env = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().ToDictionary(e => e["name"].ToString());
        YamlMappingNode service = Find("receiver.yaml", "Service", "fleet-receiver");
        string port = ((YamlMappingNode)((YamlSequenceNode)service["spec"]["ports"])[0])["port"].ToString();

        string dir = Directory.CreateTempSubdirectory("edge-agent-k8s-").FullName;
        try
        {
            // The environment as the pod gets it, with the fleet key a real file here.
            (_, string publicKey) = CommandSigner.WriteKeyPair(dir);
            var environment = env.Where(e => e.Value.Children.ContainsKey("value")).ToDictionary(e => e.Key, e => e.Value["value"].ToString());
            environment["ROBOT_ID"] = "sim-robot-7d9f8c6b5-x2kq9";
            environment["EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE"] = publicKey;
            environment["EDGEAGENT__SPILL__DIRECTORY"] = Path.Combine(dir, "spill");
            AgentOptions options = AgentConfigLoader.Load(RepoPaths.DefaultConfig, environment);

            Assert.Multiple(() =>
            {
                Assert.That(env["ROBOT_ID"]["valueFrom"]["fieldRef"]["fieldPath"].ToString(), Is.EqualTo("metadata.name"));
                Assert.That(env["CLOUD_ENDPOINT"]["value"].ToString(), Is.EqualTo($"http://fleet-receiver:{port}"));
                Assert.That(options.Robot.Id, Is.EqualTo("sim-robot-7d9f8c6b5-x2kq9"));
                Assert.That(options.Uplink.Endpoint, Is.EqualTo($"http://fleet-receiver:{port}"));
                Assert.That(env["EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE"]["value"].ToString(), Does.StartWith(MountPath(container, "fleet-public-key")));
                Assert.That(env["EDGEAGENT__SPILL__DIRECTORY"]["value"].ToString(), Does.StartWith(MountPath(container, "spill")));
                Assert.That(options.Spill.QuotaBytes, Is.LessThan(1L << 30), "the spill's quota fits the emptyDir's sizeLimit (1Gi)");
                Assert.That(container["args"].ToString(), Does.Contain("run"));
                Assert.That(((YamlSequenceNode)container["readinessProbe"]["exec"]["command"]).Select(n => n.ToString()), Is.EqualTo(new[] { "/opt/edge-agent/edge-agent", "status", "--endpoint", options.Observability.Listen }));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Receiver_ArgumentsParse_StoreIsTheDatabaseService_PortsMatch()
    {
        YamlMappingNode receiver = Find("receiver.yaml", "Deployment", "fleet-receiver");
        YamlMappingNode container = Containers(receiver).Single();
        string[] args = [.. ((YamlSequenceNode)container["args"]).Select(n => n.ToString())];
        ParseResult parsed = AgentCli.Create().Parse(args);
        YamlMappingNode db = Find("postgres.yaml", "Service", "fleet-db");
        string dbPort = ((YamlMappingNode)((YamlSequenceNode)db["spec"]["ports"])[0])["port"].ToString();
        string containerPort = ((YamlMappingNode)((YamlSequenceNode)container["ports"])[0])["containerPort"].ToString();

        Assert.Multiple(() =>
        {
            Assert.That(parsed.Errors, Is.Empty, string.Join("; ", parsed.Errors.Select(e => e.Message)));
            Assert.That(parsed.CommandResult.Command.Name, Is.EqualTo("receive"));
            Assert.That(Arg(args, "--store"), Is.EqualTo($"postgresql://edgeagent@fleet-db:{dbPort}/fleet"), "no password in the URL: PGPASSWORD from the secret");
            Assert.That(Arg(args, "--listen"), Is.EqualTo($"0.0.0.0:{containerPort}"));
            Assert.That(args, Does.Contain("--allow-remote"), "a pod's receiver listens beyond loopback, which the receiver refuses without it");
            Assert.That(Arg(args, "--fleet-key"), Does.StartWith(MountPath(container, "fleet-key")));
            // The key readable by the receiver's user only (it refuses one others can read): installed 0600 for that user.
            YamlMappingNode install = ((YamlSequenceNode)receiver["spec"]["template"]["spec"]["initContainers"]).Cast<YamlMappingNode>().Single();
            string[] command = [.. ((YamlSequenceNode)install["command"]).Select(n => n.ToString())];
            string user = receiver["spec"]["template"]["spec"]["securityContext"]["runAsUser"].ToString();
            Assert.That(command, Is.EqualTo(new[] { "install", "-m", "0600", "-o", user, "-g", receiver["spec"]["template"]["spec"]["securityContext"]["runAsGroup"].ToString(), "/run/secrets/fleet/fleet.key", Arg(args, "--fleet-key") }));
            Assert.That(MountPath(install, "fleet-key"), Is.EqualTo(MountPath(container, "fleet-key")));
        });
    }

    [Test]
    public void EveryContainer_HasRequestsAndLimits_AndEveryServiceSelectsItsPods()
    {
        var all = Manifests.SelectMany(m => Documents(m)).ToList();
        var workloads = all.Where(d => d["kind"].ToString() is "Deployment" or "StatefulSet").ToList();
        var services = all.Where(d => d["kind"].ToString() == "Service").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(workloads, Has.Count.EqualTo(3));
            foreach (YamlMappingNode container in workloads.SelectMany(Containers))
            {
                YamlMappingNode resources = (YamlMappingNode)container["resources"];
                Assert.That(resources.Children.Keys.Select(k => k.ToString()), Is.SupersetOf(new[] { "requests", "limits" }), container["name"].ToString());
                Assert.That(((YamlMappingNode)resources["limits"]).Children.Keys.Select(k => k.ToString()), Does.Contain("memory"), container["name"].ToString());
            }

            foreach (YamlMappingNode service in services)
            {
                var selector = (YamlMappingNode)service["spec"]["selector"];
                YamlMappingNode? target = workloads.SingleOrDefault(w => selector.All(s => ((YamlMappingNode)w["spec"]["template"]["metadata"]["labels"]).Children.TryGetValue(s.Key, out YamlNode? v) && v.ToString() == s.Value.ToString()));
                Assert.That(target, Is.Not.Null, $"Service {service["metadata"]["name"]} selects a workload");
                string targetPort = ((YamlMappingNode)((YamlSequenceNode)service["spec"]["ports"])[0])["targetPort"].ToString();
                Assert.That(Containers(target!).SelectMany(c => (YamlSequenceNode)c["ports"]).Select(p => p["name"].ToString()), Does.Contain(targetPort));
            }
        });
    }

    private static string Arg(string[] args, string name) => args[Array.IndexOf(args, name) + 1];

    private static string MountPath(YamlMappingNode container, string volume) =>
        ((YamlSequenceNode)container["volumeMounts"]).Cast<YamlMappingNode>().Single(m => m["name"].ToString() == volume)["mountPath"].ToString();

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode workload) =>
        ((YamlSequenceNode)workload["spec"]["template"]["spec"]["containers"]).Cast<YamlMappingNode>();

    private static YamlMappingNode Find(string file, string kind, string name) =>
        Documents(file).Single(d => d["kind"].ToString() == kind && d["metadata"]["name"].ToString() == name);

    private static List<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Dir, file)))
        {
            stream.Load(reader);
        }

        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    // npm's cache and config stay in the test's directory, never in ~.
    private static string Run(string workingDirectory, TimeSpan timeout, string file, params string[] args) =>
        Tool.Run(
            workingDirectory,
            new Dictionary<string, string>
            {
                ["npm_config_cache"] = Path.Combine(workingDirectory, ".npm-cache"),
                ["npm_config_userconfig"] = Path.Combine(workingDirectory, ".npmrc"),
                ["npm_config_update_notifier"] = "false",
            },
            timeout,
            file,
            args);
}
