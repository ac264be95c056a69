using NasActors.Core;
using NasActors.Runtime.Configuration;

namespace NasActors.Runtime.Tests.Configuration;

public sealed class HoconIncludesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-include-test-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static Akka.Configuration.Config Load(string path) => NasConfig.Load(path, []);

    private static NasUserException Rejects(string path) => Assert.Throws<NasUserException>(() => HoconIncludes.ReadFile(path));

    private static void AssertOneLine(Exception e) => Assert.DoesNotContain("\n", e.Message);

    [Fact]
    public void HoconIncludes_must_resolve_a_relative_include_against_the_including_file_not_the_working_directory()
    {
        Write("base/train.conf", "nas.train { batch-size = 16, learning-rate = 0.3 }");
        var top = Write("experiments/exp.conf", "include \"../base/train.conf\"\nnas.train.total-steps = 99\n");
        Assert.NotEqual(Path.GetFullPath("."), Path.GetDirectoryName(top)); // the test does not run from there
        var c = Load(top);
        Assert.Equal(16, c.GetInt("nas.train.batch-size"));
        Assert.Equal(0.3, c.GetDouble("nas.train.learning-rate"));
        Assert.Equal(99, c.GetInt("nas.train.total-steps"));
    }

    [Fact]
    public void HoconIncludes_must_accept_an_absolute_path_and_the_file_and_required_forms()
    {
        var a = Write("elsewhere/a.conf", "nas.train.batch-size = 17");
        Write("b.conf", "nas.train.total-steps = 18");
        Write("c.conf", "nas.train.steps-per-round = 19");
        Write("d.conf", "nas.experiment.seed = 20");
        var top = Write("top.conf", $"include \"{a}\"\ninclude file(\"b.conf\")\ninclude required(\"c.conf\")\ninclude required( file( \"d.conf\" ) )\n");
        var c = Load(top);
        Assert.Equal(17, c.GetInt("nas.train.batch-size"));
        Assert.Equal(18, c.GetInt("nas.train.total-steps"));
        Assert.Equal(19, c.GetInt("nas.train.steps-per-round"));
        Assert.Equal(20, c.GetInt("nas.experiment.seed"));
    }

    [Fact]
    public void HoconIncludes_must_resolve_nested_includes_against_each_including_file()
    {
        // top -> mid/mid.conf -> mid/deeper/base.conf: each name is relative to the file that contains it.
        Write("mid/deeper/base.conf", "nas.train.batch-size = 24\nnas.train.total-steps = 240\n");
        Write("mid/mid.conf", "include \"deeper/base.conf\"\nnas.train.total-steps = 480\n");
        var top = Write("top.conf", "include required(\"mid/mid.conf\")\n");
        var c = Load(top);
        Assert.Equal(24, c.GetInt("nas.train.batch-size"));
        Assert.Equal(480, c.GetInt("nas.train.total-steps"));
    }

    [Fact]
    public void HoconIncludes_must_let_later_keys_override_earlier_ones_in_text_order()
    {
        Write("base.conf", "nas.train { batch-size = 64, learning-rate = 0.05, momentum = 0.5 }\nnas.strategies.spos-evolution.generations = 9\n");
        var top = Write("top.conf", """
            nas.train.learning-rate = 0.3
            nas.strategies.spos-evolution.top-k = 2
            include "base.conf"
            nas.train { batch-size = 8 }
            """);
        var c = Load(top);
        Assert.Equal(0.05, c.GetDouble("nas.train.learning-rate")); // set before the include: the included file wins
        Assert.Equal(8, c.GetInt("nas.train.batch-size"));          // set after it: the including file wins
        Assert.Equal(0.5, c.GetDouble("nas.train.momentum"));       // objects merge key by key
        Assert.Equal(9, c.GetInt("nas.strategies.spos-evolution.generations"));
        Assert.Equal(2, c.GetInt("nas.strategies.spos-evolution.top-k"));
        Assert.Equal(4e-5, c.GetDouble("nas.train.weight-decay")); // and the reference still fills the rest
    }

    [Fact]
    public void HoconIncludes_must_merge_an_include_inside_an_object_under_that_object()
    {
        Write("train.conf", "batch-size = 12\nlearning-rate = 0.2\n");
        Write("search.conf", "{\n  generations = 2, top-k = 1\n}\n"); // a root-braced file works too
        var top = Write("top.conf", "nas {\n  train { include \"train.conf\" }\n  strategies.spos-evolution {include \"search.conf\"}\n}\nnas.train.learning-rate = 0.4\n");
        var c = Load(top);
        Assert.Equal(12, c.GetInt("nas.train.batch-size"));
        Assert.Equal(0.4, c.GetDouble("nas.train.learning-rate"));
        Assert.Equal(2, c.GetInt("nas.strategies.spos-evolution.generations"));
        Assert.Equal(1, c.GetInt("nas.strategies.spos-evolution.top-k"));
    }

    [Fact]
    public void HoconIncludes_must_resolve_substitutions_of_a_top_level_include_after_every_override()
    {
        Write("base.conf", "nas.train { batch-size = 64, eval-batch-size = ${nas.train.batch-size} }\n");
        var top = Write("top.conf", "include \"base.conf\"\nnas.train.batch-size = 48\n");
        var c = Load(top);
        Assert.Equal(48, c.GetInt("nas.train.eval-batch-size"));
    }

    [Fact]
    public void HoconIncludes_must_refuse_a_substitution_in_a_file_included_inside_an_object()
    {
        var inner = Write("train.conf", "batch-size = 16\neval-batch-size = ${batch-size}\n");
        var top = Write("top.conf", "nas.train {\n  include \"train.conf\"\n}\n");
        var e = Rejects(top);
        Assert.Contains(inner, e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Contains("${batch-size}", e.Message);
        AssertOneLine(e);
    }

    [Fact]
    public void HoconIncludes_must_leave_include_in_strings_comments_and_values_alone()
    {
        var text = """
            # include "nothing.conf"
            // include "nothing.conf"
            nas.data.directory = "include \"x.conf\""
            nas.supernet.candidates = [include, "include"]
            nas.experiment.strategy = include
            nas.trainers.devices = ["cpu"] # include "x"
            """ + "\n";
        var top = Write("top.conf", text);
        Assert.Equal(text, HoconIncludes.ReadFile(top));
    }

    [Fact]
    public void HoconIncludes_must_ignore_a_plain_include_of_a_missing_file_and_warn_once()
    {
        var top = Write("top.conf", "include \"local.conf\"\nnas.train.batch-size = 8\ninclude file(\"local.conf\")\n");
        var warnings = new List<string>();
        var text = HoconIncludes.ReadFile(top, warnings.Add);
        var missing = Path.Combine(_dir, "local.conf");
        var warning = Assert.Single(warnings);
        Assert.Contains(missing, warning);
        Assert.Contains(top + ", line 1", warning);
        Assert.Equal(8, NasConfig.Parse(text, top).GetInt("nas.train.batch-size"));
        Assert.DoesNotContain("\ninclude", text); // the stored text names what was ignored, in a comment
        Assert.Contains("# include \"local.conf\": " + missing + " not found, ignored", text);
    }

    [Theory]
    [InlineData("include required(\"missing/base.conf\")")]
    [InlineData("include required(file(\"missing/base.conf\"))")]
    public void HoconIncludes_must_reject_a_missing_required_file_naming_the_includer_the_line_and_the_path(string include)
    {
        var top = Write("top.conf", "nas.train.batch-size = 8\n\n" + include + "\n");
        var e = Rejects(top);
        Assert.Contains(top + ", line 3", e.Message);
        Assert.Contains(Path.Combine(_dir, "missing", "base.conf"), e.Message);
        AssertOneLine(e);
    }

    [Fact]
    public void HoconIncludes_must_name_the_file_and_line_of_a_missing_required_file_deep_in_the_chain()
    {
        var mid = Write("mid/mid.conf", "nas.train.batch-size = 8\ninclude required(\"gone.conf\")\n");
        var top = Write("top.conf", "include \"mid/mid.conf\"\n");
        var e = Rejects(top);
        Assert.Contains(mid + ", line 2", e.Message);
        Assert.Contains(Path.Combine(_dir, "mid", "gone.conf"), e.Message);
    }

    [Fact]
    public void HoconIncludes_must_reject_an_include_cycle_naming_it()
    {
        var a = Write("a.conf", "include \"sub/b.conf\"\n");
        var b = Write("sub/b.conf", "nas.train.batch-size = 8\ninclude \"../a.conf\"\n");
        var e = Rejects(a);
        Assert.Contains($"include cycle: {a} -> {b} -> {a}", e.Message);
        Assert.Contains(b + ", line 2", e.Message);
        AssertOneLine(e);

        var self = Write("self.conf", "nas { include \"self.conf\" }\n");
        Assert.Contains($"include cycle: {self} -> {self}", Rejects(self).Message);
    }

    [Fact]
    public void HoconIncludes_must_allow_the_same_file_twice_when_it_is_not_a_cycle()
    {
        Write("common.conf", "nas.train.batch-size = 8\n");
        Write("x.conf", "include \"common.conf\"\nnas.train.total-steps = 40\n");
        var top = Write("top.conf", "include \"common.conf\"\ninclude \"x.conf\"\n");
        var c = Load(top);
        Assert.Equal(8, c.GetInt("nas.train.batch-size"));
        Assert.Equal(40, c.GetInt("nas.train.total-steps"));
    }

    [Theory]
    [InlineData("include url(\"http://example.com/base.conf\")", "url(...) is not supported")]
    [InlineData("include classpath(\"base.conf\")", "classpath(...) is not supported")]
    [InlineData("include base.conf", "quoted file name")]
    [InlineData("include = 5", "quoted file name")]
    [InlineData("include required(\"base.conf\"", "missing its closing ')'")]
    [InlineData("include \"\"", "empty file name")]
    public void HoconIncludes_must_reject_a_malformed_include_naming_the_file_and_line(string include, string mustMention)
    {
        var top = Write("top.conf", "nas.train.batch-size = 8\n" + include + "\n");
        var e = Rejects(top);
        Assert.Contains(top + ", line 2", e.Message);
        Assert.Contains(mustMention, e.Message);
        AssertOneLine(e);
    }

    [Fact]
    public void HoconIncludes_must_report_broken_hocon_in_an_included_file_against_that_file()
    {
        var broken = Write("broken.conf", "nas.train {\n  batch-size = \"8\n}\n");
        var top = Write("top.conf", "include \"broken.conf\"\n");
        var e = Rejects(top);
        Assert.Contains(broken, e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void HoconIncludes_must_report_unknown_keys_from_an_included_file()
    {
        Write("base.conf", "nas.train.learnig-rate = 0.1\n");
        var top = Write("top.conf", "include \"base.conf\"\n");
        var e = Assert.Throws<NasUserException>(() => Load(top));
        Assert.Contains("nas.train.learnig-rate", e.Message);
    }

    [Fact]
    public void NasConfig_must_refuse_an_include_it_cannot_resolve_with_one_line_instead_of_a_null_reference()
    {
        var e = Assert.Throws<NasUserException>(() => NasConfig.Parse("include \"base.conf\"\nnas.train.batch-size = 8", "/experiments/my.conf"));
        Assert.Contains("include \"base.conf\"", e.Message);
        Assert.DoesNotContain("Object reference", e.Message);
        AssertOneLine(e);
    }

    [Fact]
    public void HoconIncludes_must_produce_a_self_contained_text_whose_fingerprint_survives_the_base_file()
    {
        // What `nas search` stores as config.conf: parsed alone, after its base was edited and then deleted, it gives
        // the same settings (and fingerprint) as the files it came from, and as the equivalent flat file.
        var basePath = Write("base.conf", "nas {\n  experiment.seed = 7\n  train { batch-size = 32, total-steps = 300 }\n  strategies.spos-evolution { population-size = 16, generations = 3 }\n}\n");
        var top = Write("top.conf", "include \"base.conf\"\nnas.train.total-steps = 200\n");
        var stored = NasConfig.ComposeText(HoconIncludes.ReadFile(top), ["strategies.spos-evolution.top-k=3"]);
        var flat = Write("flat.conf", "nas.experiment.seed = 7\nnas.train { batch-size = 32, total-steps = 200 }\nnas.strategies.spos-evolution { population-size = 16, generations = 3, top-k = 3 }\n");
        var fromFiles = NasSettings.Create(NasConfig.Parse(stored, top), top);
        var fromFlat = NasSettings.Create(NasConfig.Load(flat, []), flat);
        Assert.Equal(fromFlat.ResultHash, fromFiles.ResultHash);

        File.WriteAllText(basePath, "nas.experiment.seed = 8\nnas.train.batch-size = 16\n");
        Assert.Equal(fromFiles.ResultHash, NasSettings.Create(NasConfig.Parse(stored, "stored"), "stored").ResultHash);
        File.Delete(basePath);
        Assert.Equal(fromFiles.ResultHash, NasSettings.Create(NasConfig.Parse(stored, "stored"), "stored").ResultHash);
        Assert.NotEqual(fromFiles.ResultHash, NasSettings.Create(NasConfig.Load(top, []), top).ResultHash); // the files did change
    }
}
