using NasActors.Core;
using NasActors.Runtime.Hosting;
using NasActors.Runtime.Tests.Support;

namespace NasActors.Runtime.Tests.Hosting;

public sealed class ExperimentStoreTests : IDisposable
{
    private readonly TempStore _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ExperimentStore_must_create_an_experiment_with_its_config_and_list_it()
    {
        var store = new ExperimentStore(Path.Combine(_dir.Root, "store"));
        Assert.Empty(store.List());

        store.Create("b-exp", "nas.experiment.seed = 1");
        store.Create("a.exp_2", "nas.experiment.seed = 2");

        Assert.Equal(["a.exp_2", "b-exp"], store.List());
        Assert.Equal("nas.experiment.seed = 1", store.ReadConfig("b-exp"));
        Assert.True(Directory.Exists(store.CheckpointDirectory("b-exp")));
        Assert.Equal(Path.Combine(store.DirectoryOf("b-exp"), "journal.db"), store.JournalPath("b-exp"));
        Assert.NotEqual(store.JournalPath("b-exp"), store.SnapshotPath("b-exp"));
        Assert.Empty(Directory.GetDirectories(store.Root, ".*")); // no temporary directory left behind
    }

    [Fact]
    public void ExperimentStore_must_refuse_to_overwrite_an_experiment()
    {
        var store = new ExperimentStore(_dir.Root);
        store.Create("exp", "nas.experiment.seed = 1");
        var e = Assert.Throws<NasUserException>(() => store.Create("exp", "nas.experiment.seed = 2"));
        Assert.Contains("nas resume exp", e.Message);
        Assert.Equal("nas.experiment.seed = 1", store.ReadConfig("exp"));
    }

    [Fact]
    public void ExperimentStore_must_name_the_known_experiments_when_one_is_missing()
    {
        var store = new ExperimentStore(_dir.Root);
        store.Create("alpha", "");
        var e = Assert.Throws<NasUserException>(() => store.ReadConfig("beta"));
        Assert.Contains("beta", e.Message);
        Assert.Contains("alpha", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("with space")]
    public void ExperimentStore_must_reject_names_that_are_not_plain_directory_names(string name)
    {
        var store = new ExperimentStore(_dir.Root);
        Assert.Throws<NasUserException>(() => store.Create(name, ""));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Root));
    }

    [Fact]
    public void ExperimentStore_must_refuse_and_keep_a_directory_that_is_not_an_experiment()
    {
        var store = new ExperimentStore(_dir.Root);
        var dir = store.DirectoryOf("src"); // e.g. `nas search --store . --name src` in a checkout
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "mine");
        Assert.False(store.Exists("src"));
        var e = Assert.Throws<NasUserException>(() => store.Create("src", "x = 1"));
        Assert.Contains(dir, e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "keep.txt")));
    }

    [Fact]
    public void ExperimentStore_must_lock_an_experiment_against_a_second_process()
    {
        var store = new ExperimentStore(_dir.Root);
        store.Create("exp", "x = 1");
        using (store.Lock("exp"))
        {
            var e = Assert.Throws<NasUserException>(() => store.Lock("exp"));
            Assert.Contains("in use", e.Message);
        }
        using (store.Lock("exp")) { } // released with the first holder
    }

    [Fact]
    public void ExperimentStore_must_locate_an_experiments_own_journal_or_the_clusters()
    {
        var store = new ExperimentStore(_dir.Root);
        store.Create("local", "x = 1");
        store.Create("on-sqlite", "x = 1", "journal = sqlite\n");
        store.Create("on-postgres", "x = 1", "journal = postgres\n");
        store.Create("broken", "x = 1", "journal = mongo\n");

        Assert.Equal(("sqlite", store.JournalPath("local")), store.JournalLocation("local"));
        Assert.Equal(("sqlite", Path.Combine(store.ClusterDirectory, "journal.db")), store.JournalLocation("on-sqlite"));
        Assert.Equal("postgres", store.JournalLocation("on-postgres").Kind);
        Assert.Equal([false, true, true], new[] { "local", "on-sqlite", "on-postgres" }.Select(store.IsClusterExperiment));
        var e = Assert.Throws<NasUserException>(() => store.JournalLocation("broken"));
        Assert.Contains(Path.Combine(store.DirectoryOf("broken"), ExperimentStore.JournalMarker), e.Message);
        Assert.Contains("'mongo'", e.Message);
        Assert.Equal([], store.List().Where(n => n.StartsWith('.')));
    }

    [Fact]
    public void ExperimentStore_must_refuse_an_empty_store_path_as_a_user_error()
    {
        Assert.Contains("--store", Assert.Throws<NasUserException>(() => new ExperimentStore(" ")).Message);
    }
}
