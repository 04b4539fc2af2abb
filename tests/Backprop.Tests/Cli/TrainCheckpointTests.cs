using System.Text.Json.Nodes;
using Backprop.IO;
using Backprop.Tests.Data;
using Backprop.Tests.IO;
using static Backprop.Tests.Cli.CliHarness;

namespace Backprop.Tests.Cli;

public sealed class TrainCheckpointTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string data;

    public TrainCheckpointTests() => data = folder.Write("kinds.csv", StringLabelCsv(rows: 160));

    public void Dispose() => folder.Dispose();

    private string In(string name) => Path.Combine(folder.Path, name);

    private string[] Train(params string[] extra) =>
        ["train", "--data", data, "--layers", "8", "--epochs", "4", "--batch-size", "16", "--seed", "3", "--format", "json", .. extra];

    /// <summary><paramref name="args"/> without <paramref name="flag"/> and its value.</summary>
    private static string[] Without(string[] args, string flag)
    {
        int at = Array.IndexOf(args, flag);
        return [.. args[..at], .. args[(at + 2)..]];
    }

    private static string CheckpointFile(int epoch) => $"checkpoint-epoch-{epoch:D4}.safetensors";

    /// <summary>A run "interrupted" after <paramref name="epochs"/>: the first checkpoints of a full run, copied.</summary>
    private string InterruptedCopy(string fullRun, string name, int epochs)
    {
        string target = In(name);
        Directory.CreateDirectory(target);
        for (int epoch = 1; epoch <= epochs; epoch++)
            File.Copy(Path.Combine(fullRun, CheckpointFile(epoch)), Path.Combine(target, CheckpointFile(epoch)));
        return target;
    }

    private static void AssertSameWeights(string expectedPath, string actualPath)
    {
        var expected = ModelFile.Load(expectedPath).Parameters;
        var actual = ModelFile.Load(actualPath).Parameters;
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in expected)
        {
            var want = tensor.ToFloats();
            var got = actual[name].ToFloats();
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]), $"{name}[{i}]: {want[i]:R} vs {got[i]:R}");
        }
    }

    private (CliResult Result, string Model, string Checkpoints) FullRun(params string[] extra)
    {
        string model = In("a.bp"), checkpoints = In("dirA");
        var result = Run(Train(["--checkpoint", checkpoints, "--out", model, .. extra]));
        Assert.True(result.Code == 0, result.Error);
        Assert.Equal(Enumerable.Range(1, 4).Select(CheckpointFile), Listing(checkpoints));
        return (result, model, checkpoints);
    }

    [Fact]
    public void Resuming_after_epoch_2_ends_with_the_uninterrupted_weights_bit_for_bit()
    {
        var (full, modelA, dirA) = FullRun();
        string dirB = InterruptedCopy(dirA, "dirB", 2);
        string modelB = In("b.bp");

        var resumed = Run(Train("--resume", dirB, "--out", modelB));

        Assert.True(resumed.Code == 0, resumed.Error);
        AssertSameWeights(modelA, modelB);
        Assert.True(JsonNode.DeepEquals(full.Json["epochs"], resumed.Json["epochs"]), $"{full.Out}\n{resumed.Out}");
        Assert.Equal((double)full.Json["test_loss"]!, (double)resumed.Json["test_loss"]!);
        Assert.Equal(Enumerable.Range(1, 4).Select(CheckpointFile), Listing(dirB));
    }

    [Fact]
    public void Resuming_with_momentum_sgd_is_exact_too()
    {
        var (_, modelA, dirA) = FullRun("--optimizer", "momentum", "--schedule", "step");
        string dirB = InterruptedCopy(dirA, "dirB", 1);
        string modelB = In("b.bp");
        var resumed = Run(Train("--optimizer", "momentum", "--schedule", "step", "--resume", dirB, "--out", modelB));
        Assert.True(resumed.Code == 0, resumed.Error);
        AssertSameWeights(modelA, modelB);
    }

    [Fact]
    public void Resuming_a_finished_run_changes_nothing()
    {
        var (full, modelA, dirA) = FullRun();
        string modelB = In("b.bp");
        var resumed = Run(Train("--resume", dirA, "--out", modelB));
        Assert.True(resumed.Code == 0, resumed.Error);
        AssertSameWeights(modelA, modelB);
        Assert.True(JsonNode.DeepEquals(full.Json["epochs"], resumed.Json["epochs"]));
    }

    [Fact]
    public void A_truncated_newest_checkpoint_is_skipped_for_the_one_before()
    {
        var (_, modelA, dirA) = FullRun();
        string dirB = InterruptedCopy(dirA, "dirB", 3);
        string newest = Path.Combine(dirB, CheckpointFile(3));
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);
        string modelB = In("b.bp");

        var resumed = Run(Train("--resume", dirB, "--out", modelB));

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.StartsWith($"note: --resume skipped a damaged checkpoint, resuming after epoch 2: {newest}: ", Assert.Single(resumed.ErrorLines));
        AssertSameWeights(modelA, modelB);
        // the damaged checkpoint was rewritten by the resumed run
        AssertSameWeights(Path.Combine(dirA, CheckpointFile(3)), newest);
    }

    [Fact]
    public void Resume_orders_checkpoints_past_epoch_9999_by_number_not_by_name()
    {
        var (_, modelA, dirA) = FullRun();
        string dirB = In("dirB");
        Directory.CreateDirectory(dirB);
        // Stand-ins for epochs 9999 and 10000 (five digits): as strings, "…-9999" sorts above "…-10000".
        File.Copy(Path.Combine(dirA, CheckpointFile(1)), Path.Combine(dirB, CheckpointFile(9999)));
        File.Copy(Path.Combine(dirA, CheckpointFile(2)), Path.Combine(dirB, CheckpointFile(10000)));
        string modelB = In("b.bp");

        var resumed = Run(Without(Train("--resume", dirB, "--out", modelB), "--format"));

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal(2, resumed.Out.Split('\n').Count(line => line.EndsWith("(from checkpoint)", StringComparison.Ordinal)));
        AssertSameWeights(modelA, modelB);
        // writing epoch 3 removed both later-named files, the five-digit one included
        Assert.Equal(Enumerable.Range(3, 2).Select(CheckpointFile), Listing(dirB));
    }

    [Fact]
    public void A_fresh_run_removes_a_later_checkpoint_whose_name_has_five_digits()
    {
        string reused = In("reused");
        Directory.CreateDirectory(reused);
        File.WriteAllText(Path.Combine(reused, CheckpointFile(10001)), "left by an earlier, longer run");

        Assert.Equal(0, Run(Train("--checkpoint", reused)).Code);

        Assert.Equal(Enumerable.Range(1, 4).Select(CheckpointFile), Listing(reused));
    }

    [Fact]
    public void A_newest_checkpoint_whose_normalizer_divides_by_zero_is_skipped_as_damaged()
    {
        var (_, modelA, dirA) = FullRun();
        string dirB = InterruptedCopy(dirA, "dirB", 3);
        string newest = Path.Combine(dirB, CheckpointFile(3));
        var file = SafeTensors.Read(newest);
        var tensors = file.Tensors.ToDictionary();
        tensors[ModelFile.StdTensor] = SafeTensor.FromFloats([.. tensors[ModelFile.StdTensor].ToFloats().Select(_ => 0f)]);
        SafeTensors.Write(newest, tensors, Checksums.Stripped(file.Metadata)); // as another tool writes it
        string modelB = In("b.bp");

        var resumed = Run(Train("--resume", dirB, "--out", modelB));

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.StartsWith($"note: --resume skipped a damaged checkpoint, resuming after epoch 2: {newest}: normalizer.std[0]: ", Assert.Single(resumed.ErrorLines));
        AssertSameWeights(modelA, modelB);
    }

    [Fact]
    public void A_newest_checkpoint_with_one_changed_bit_in_its_weights_is_skipped_as_damaged()
    {
        var (_, modelA, dirA) = FullRun();
        string dirB = InterruptedCopy(dirA, "dirB", 3);
        string newest = Path.Combine(dirB, CheckpointFile(3));
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[^4] ^= 1; // the lowest bit of the last value: a finite number still, which loaded without a word
        File.WriteAllBytes(newest, bytes);
        string modelB = In("b.bp");

        var resumed = Run(Train("--resume", dirB, "--out", modelB));

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.StartsWith($"note: --resume skipped a damaged checkpoint, resuming after epoch 2: {newest}: data: the tensor data is damaged: its SHA-256 is ",
            Assert.Single(resumed.ErrorLines));
        AssertSameWeights(modelA, modelB);
    }

    [Fact]
    public void A_newest_checkpoint_with_a_changed_byte_in_its_recorded_settings_is_skipped_as_damaged_not_blamed_on_the_flags()
    {
        var (_, modelA, dirA) = FullRun();
        string dirB = InterruptedCopy(dirA, "dirB", 3);
        string newest = Path.Combine(dirB, CheckpointFile(3));
        string text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(newest));
        Assert.Contains("none\\\\u003E", text); // "<none>", escaped twice
        // it read "written with --test <nope>, this run has --test <none>" and stopped the run (exit 2)
        File.WriteAllBytes(newest, System.Text.Encoding.Latin1.GetBytes(text.Replace("none\\\\u003E", "nope\\\\u003E")));
        string modelB = In("b.bp");

        var resumed = Run(Train("--resume", dirB, "--out", modelB));

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.StartsWith($"note: --resume skipped a damaged checkpoint, resuming after epoch 2: {newest}: __metadata__: the metadata is damaged: ",
            Assert.Single(resumed.ErrorLines));
        AssertSameWeights(modelA, modelB);
    }

    [Fact]
    public void A_newest_checkpoint_whose_settings_record_is_not_json_is_skipped_as_damaged()
    {
        var (_, modelA, dirA) = FullRun();
        string dirB = InterruptedCopy(dirA, "dirB", 3);
        string newest = Path.Combine(dirB, CheckpointFile(3));
        var file = SafeTensors.Read(newest);
        var metadata = Checksums.Stripped(file.Metadata);
        metadata["checkpoint_settings"] = metadata["checkpoint_settings"].Replace("\":\"", "\"}\"");  // one flipped byte would do
        SafeTensors.Write(newest, file.Tensors, metadata);
        string modelB = In("b.bp");

        var resumed = Run(Train("--resume", dirB, "--out", modelB));

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal($"note: --resume skipped a damaged checkpoint, resuming after epoch 2: {newest}: the settings in its metadata (checkpoint_settings) are unreadable",
            Assert.Single(resumed.ErrorLines));
        AssertSameWeights(modelA, modelB);
    }

    [Fact]
    public void Resuming_with_a_different_learning_rate_is_refused_naming_the_flag()
    {
        var (_, _, dirA) = FullRun();
        string dirB = InterruptedCopy(dirA, "dirB", 2);
        var before = Listing(dirB);

        var resumed = Run(Train("--resume", dirB, "--lr", "0.5"));

        AssertFails(resumed, 2, "--resume", "--lr");
        Assert.Equal(before, Listing(dirB));
    }

    private string ArchFile() => folder.Write("arch.json", """{"layers": [{"type": "dense", "units": 8}, {"type": "tanh"}]}""");

    /// <summary>Overwrites settings recorded in a checkpoint, as an older version of backprop wrote them.</summary>
    private static void RecordSettings(string checkpoint, params (string Flag, string Value)[] settings)
    {
        var saved = ModelFile.Load(checkpoint);
        var metadata = new Dictionary<string, string>(saved.Metadata);
        var recorded = JsonNode.Parse(metadata["checkpoint_settings"])!.AsObject();
        foreach (var (flag, value) in settings) recorded[flag] = value;
        metadata["checkpoint_settings"] = recorded.ToJsonString();
        ModelFile.Save(checkpoint, saved with { Metadata = metadata });
    }

    [Theory]
    [InlineData("")]
    [InlineData("--layers 32 --activation gelu")]
    public void Resuming_an_arch_run_with_other_layers_or_activation_flags_which_it_ignores_continues_exactly(string unused)
    {
        string arch = ArchFile();
        var (full, modelA, dirA) = FullRun("--arch", arch); // Train() passes --layers 8, which --arch replaces
        Assert.StartsWith("note: --arch replaces --layers", full.Error);
        string dirB = InterruptedCopy(dirA, "dirB", 2);
        string modelB = In("b.bp");

        var resumed = Run([.. Without(Train("--arch", arch, "--resume", dirB, "--out", modelB), "--layers"), .. unused.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        Assert.True(resumed.Code == 0, resumed.Error);
        AssertSameWeights(modelA, modelB);
    }

    [Fact]
    public void An_arch_checkpoint_that_recorded_the_ignored_layers_and_activation_still_resumes()
    {
        string arch = ArchFile();
        var (_, modelA, dirA) = FullRun("--arch", arch);
        string dirB = InterruptedCopy(dirA, "dirB", 2);
        RecordSettings(Path.Combine(dirB, CheckpointFile(2)), ("--layers", "8"), ("--activation", "relu"));
        string modelB = In("b.bp");

        var resumed = Run([.. Without(Train("--arch", arch, "--resume", dirB, "--out", modelB), "--layers")]);

        Assert.True(resumed.Code == 0, resumed.Error);
        AssertSameWeights(modelA, modelB);
    }

    [Fact]
    public void Resuming_an_arch_run_without_arch_is_refused_naming_arch()
    {
        var (_, _, dirA) = FullRun("--arch", ArchFile());
        AssertFails(Run(Without(Train("--resume", dirA), "--layers")), 2, "--resume", "was written with --arch {");
    }

    [Fact]
    public void Resuming_a_run_without_arch_with_other_layers_is_still_refused_naming_layers()
    {
        var (_, _, dirA) = FullRun();
        var args = Train("--resume", dirA);
        args[Array.IndexOf(args, "--layers") + 1] = "16";
        AssertFails(Run(args), 2, "--resume", "was written with --layers 8, this run has --layers 16");
    }

    [Fact]
    public void Resuming_after_the_data_changed_under_the_same_path_is_refused()
    {
        var (_, _, dirA) = FullRun();
        File.WriteAllText(data, StringLabelCsv(rows: 160, seed: 99));
        AssertFails(Run(Train("--resume", dirA)), 2, "--resume", "other data");
    }

    [Fact]
    public void Resuming_with_more_epochs_is_refused_and_says_why()
    {
        var (_, _, dirA) = FullRun();
        var args = Train("--resume", dirA);
        args[Array.IndexOf(args, "--epochs") + 1] = "6";

        var resumed = Run(args);

        AssertFails(resumed, 2, "--epochs", "schedule");
    }

    [Fact]
    public void With_a_constant_schedule_a_run_can_be_extended_exactly()
    {
        string[] constant = ["--schedule", "constant"];
        var (_, _, dirA) = FullRun(constant);
        var longer = Train([.. constant, "--out", In("six.bp")]);
        longer[Array.IndexOf(longer, "--epochs") + 1] = "6";
        Assert.Equal(0, Run(longer).Code);

        var extended = Train([.. constant, "--resume", dirA, "--out", In("extended.bp")]);
        extended[Array.IndexOf(extended, "--epochs") + 1] = "6";
        var result = Run(extended);

        Assert.True(result.Code == 0, result.Error);
        Assert.Equal(6, result.Json["epochs"]!.AsArray().Count);
        AssertSameWeights(In("six.bp"), In("extended.bp"));
    }

    [Fact]
    public void Resuming_with_fewer_epochs_than_the_checkpoint_holds_is_refused()
    {
        var (_, _, dirA) = FullRun("--schedule", "constant");
        var args = Train("--schedule", "constant", "--resume", dirA);
        args[Array.IndexOf(args, "--epochs") + 1] = "2";
        AssertFails(Run(args), 2, "epoch 4", "--epochs 2");
    }

    [Fact]
    public void Resuming_from_a_missing_folder_is_bad_input()
    {
        var resumed = Run(Train("--resume", In("nowhere")));
        AssertFails(resumed, 2, "nowhere");
    }

    [Fact]
    public void Resuming_from_a_file_says_it_is_a_file_not_a_folder()
    {
        var (_, _, dirA) = FullRun();
        string file = Path.Combine(dirA, CheckpointFile(4));
        AssertFails(Run(Train("--resume", file)), 2, $"--resume: {file}: is a file, not a folder");
    }

    [Fact]
    public void Resuming_from_a_folder_of_unrelated_files_is_bad_input()
    {
        string other = In("other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, CheckpointFile(1)), "not a checkpoint at all");
        // every checkpoint in the folder is damaged: no silent fresh start
        var resumed = Run(Train("--resume", other));
        AssertFails(resumed, 2, "--resume");
    }

    [Fact]
    public void Resuming_from_a_folder_without_checkpoints_starts_afresh_and_says_so()
    {
        string empty = In("empty");
        Directory.CreateDirectory(empty);

        var resumed = Run(Train("--resume", empty));

        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal($"note: --resume: {empty} holds no checkpoint; training starts from epoch 1", Assert.Single(resumed.ErrorLines));
        Assert.Equal(4, resumed.Json["epochs"]!.AsArray().Count);
    }

    [Fact]
    public void A_fresh_run_into_an_old_checkpoint_folder_removes_the_old_runs_later_epochs_so_resume_finds_its_own()
    {
        // An earlier, longer run with other settings left epochs 1-6 in the folder.
        string reused = In("reused");
        var longer = Train("--checkpoint", reused, "--lr", "0.5");
        longer[Array.IndexOf(longer, "--epochs") + 1] = "6";
        Assert.Equal(0, Run(longer).Code);
        string[] constant = ["--schedule", "constant"]; // so that a 2-epoch run can be extended to 4 exactly
        var (_, modelA, _) = FullRun(constant);

        // The new run stops after epoch 2: its checkpoints 1-2 replace the old ones, and 3-6 must go.
        var interrupted = Train([.. constant, "--checkpoint", reused]);
        interrupted[Array.IndexOf(interrupted, "--epochs") + 1] = "2";
        Assert.Equal(0, Run(interrupted).Code);
        Assert.Equal(Enumerable.Range(1, 2).Select(CheckpointFile), Listing(reused));

        string modelB = In("b.bp");
        var resumed = Run(Train([.. constant, "--resume", reused, "--out", modelB]));
        Assert.True(resumed.Code == 0, resumed.Error);
        AssertSameWeights(modelA, modelB);
    }
}
