using Backprop.IO;
using Backprop.Tests.Data;
using static Backprop.Tests.Cli.CliHarness;

namespace Backprop.Tests.Cli;

public sealed class TrainDivergenceTests : IDisposable
{
    private static readonly byte[] GoodModel = "an existing model the diverged run must not touch"u8.ToArray();
    private readonly TempFolder folder = new();
    private readonly string data, model, checkpoints;

    public TrainDivergenceTests()
    {
        data = folder.Write("reg.csv", RegressionCsv(scale: 1000));
        model = folder.WriteBytes("existing.bp", GoodModel);
        checkpoints = Path.Combine(folder.Path, "checkpoints");
    }

    public void Dispose() => folder.Dispose();

    /// <summary>A linear model, one full-batch SGD step per epoch, a learning rate far past stability: the
    /// error grows geometrically and overflows a float after some ten epochs.</summary>
    private CliResult Diverge(string learningRate, params string[] extra) => Run(["train", "--data", data, "--layers", "", "--optimizer", "sgd",
        "--lr", learningRate, "--schedule", "constant", "--batch-size", "1000", "--epochs", "100", "--out", model, .. extra]);

    [Fact]
    public void A_run_whose_loss_overflows_exits_3_and_keeps_the_last_good_checkpoint()
    {
        var result = Diverge("10", "--checkpoint", checkpoints, "--format", "json");

        AssertFails(result, 3, "diverged", "epoch");
        Assert.Equal("", result.Out);
        Assert.Equal(GoodModel, File.ReadAllBytes(model));
        var kept = Listing(checkpoints);
        Assert.InRange(kept.Length, 2, 99);
        Assert.All(kept, name => Assert.Matches(@"^checkpoint-epoch-\d{4}\.safetensors$", name));
        // the newest checkpoint is whole and finite
        var newest = TrainedModelFile.Load(Path.Combine(checkpoints, kept[^1]));
        Assert.All(newest.Network.Parameters(), p => Assert.True(p.Data.ToArray().All(float.IsFinite)));
        Assert.Equal(["existing.bp", "reg.csv"], Listing(folder.Path));
    }

    [Fact]
    public void A_run_that_diverges_at_once_exits_3_in_text_mode_too()
    {
        var result = Diverge("1e30", "--checkpoint", checkpoints);

        AssertFails(result, 3, "diverged");
        Assert.Equal(GoodModel, File.ReadAllBytes(model));
        // whatever was checkpointed before the loss overflowed holds finite weights
        foreach (var name in Directory.Exists(checkpoints) ? Listing(checkpoints) : [])
            Assert.All(TrainedModelFile.Load(Path.Combine(checkpoints, name)).Network.Parameters(), p => Assert.True(p.Data.ToArray().All(float.IsFinite)));
    }

    [Fact]
    public void A_hidden_network_with_a_huge_rate_diverges_on_the_built_in_digits()
    {
        var result = Run("train", "--layers", "8", "--epochs", "2", "--optimizer", "sgd", "--lr", "1e30", "--out", model, "--format", "json");
        AssertFails(result, 3, "diverged");
        Assert.Equal(GoodModel, File.ReadAllBytes(model));
    }

    [Fact]
    public void A_weight_decay_that_alone_diverges_is_named_beside_the_learning_rate()
    {
        // 0.05 × 1e4 = 500: each step flips every weight's sign and multiplies it by 499.
        var result = Run("train", "--layers", "8", "--epochs", "2", "--optimizer", "sgd", "--weight-decay", "1e4", "--format", "json");
        AssertFails(result, 3, "diverged", "try a smaller --lr or --weight-decay", "= 500");
    }

    [Fact]
    public void A_learning_rate_too_large_for_the_loss_is_blamed_alone_under_a_mild_weight_decay()
    {
        var result = Diverge("10", "--weight-decay", "0.01");
        AssertFails(result, 3, "try a smaller --lr");
        Assert.DoesNotContain("--weight-decay", result.Error);
    }
}
