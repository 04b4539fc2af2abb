using System.Text.Json.Nodes;
using Backprop.Data;
using Backprop.IO;
using Backprop.Nn;
using Backprop.Training;
using Backprop.Tests.IO;

namespace Backprop.Tests.Cli;

/// <summary>Model files that read well but hold values no trained model has: eval, predict and export refuse them by field.</summary>
public sealed class DamagedModelFieldTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string command in new[] { "eval", "predict", "export" })
            foreach (string damage in new[] { "zero std", "negative std", "infinite std", "NaN mean", "repeated class", "huge padding", "feature as target", "blank target" })
                cases.Add(command, damage);
        return cases;
    }

    [Theory, MemberData(nameof(Cases))]
    public void A_model_with_an_impossible_value_exits_2_naming_the_field(string command, string damage)
    {
        var (model, field) = damage switch
        {
            "zero std" => (Damaged("zero-std.bp", (tensors, _) => tensors["normalizer.std"] = SafeTensor.FromFloats([1f, 0f])), "normalizer.std[1]"),
            "negative std" => (Damaged("negative-std.bp", (tensors, _) => tensors["normalizer.std"] = SafeTensor.FromFloats([-2f, 1f])), "normalizer.std[0]"),
            "infinite std" => (Damaged("infinite-std.bp", (tensors, _) => tensors["normalizer.std"] = SafeTensor.FromFloats([1f, float.PositiveInfinity])), "normalizer.std[1]"),
            "NaN mean" => (Damaged("nan-mean.bp", (tensors, _) => tensors["normalizer.mean"] = SafeTensor.FromFloats([float.NaN, 0f])), "normalizer.mean[0]"),
            "repeated class" => (Damaged("repeated-class.bp", (_, metadata) => metadata["class_names"] = """["setosa", "setosa", "setosa"]"""), "__metadata__.class_names"),
            "feature as target" => (Damaged("feature-target.bp", (_, metadata) => metadata["target"] = "x"), "__metadata__.target"),
            "blank target" => (Damaged("blank-target.bp", (_, metadata) => metadata["target"] = " "), "__metadata__.target"),
            _ => (HugePadding(), "__metadata__.architecture[0]"),
        };
        string[] args = command == "export"
            ? ["export", "--model", model, "--out", Path.Combine(models.Folder, $"{Path.GetFileNameWithoutExtension(model)}.onnx")]
            : [command, "--model", model, "--data", models.TestCsv];

        CliHarness.AssertFails(CliRunner.Run(args), 2, model, field);
    }

    /// <summary>The classifier's file with its tensors or metadata changed as given.</summary>
    private string Damaged(string name, Action<Dictionary<string, SafeTensor>, Dictionary<string, string>> change)
    {
        var file = SafeTensors.Read(models.ClassifierPath);
        var tensors = file.Tensors.ToDictionary();
        var metadata = Checksums.Stripped(file.Metadata); // as another tool writes it
        change(tensors, metadata);
        string path = Path.Combine(models.Folder, name);
        SafeTensors.Write(path, tensors, metadata);
        return path;
    }

    // A small convolutional classifier of the two features as a 1×2 image, whose padding is then made 100,000:
    // [2, 200001, 200002] values per sample, which used to overflow an array length (exit 1) in the dry run.
    private string HugePadding()
    {
        var random = new Random(1);
        var network = new Sequential<float>([new Conv2d<float>(1, 2, 1, random), new Flatten<float>(), new Linear<float>(4, 3, random)]);
        string path = Path.Combine(models.Folder, "convolution.bp");
        TrainedModelFile.Save(path, new TrainedModel(network, TaskKind.Classification, ["x", "y"], [1, 1, 2], TrainedModels.Labels, normalizer: null));
        Assert.Equal(0, CliRunner.Run("eval", "--model", path, "--data", models.TestCsv).Code);

        var file = SafeTensors.Read(path);
        var metadata = Checksums.Stripped(file.Metadata);
        var architecture = JsonNode.Parse(metadata["architecture"])!.AsArray();
        architecture[0]!["padding"] = 100_000;
        metadata["architecture"] = architecture.ToJsonString();
        string damaged = Path.Combine(models.Folder, "huge-padding.bp");
        SafeTensors.Write(damaged, file.Tensors, metadata);
        return damaged;
    }
}
