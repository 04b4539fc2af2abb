using Backprop.IO;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>`train --arch FILE.json`: explicit dense stacks, the final layer rule, and clear refusals.</summary>
public sealed class TrainArchitectureTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string Arch(string json) => folder.Write("arch.json", json);

    [Fact]
    public void An_architecture_file_larger_than_16_MB_is_refused_without_being_read()
    {
        string path = Path.Combine(folder.Path, "huge.json");
        using (var stream = File.Create(path)) stream.SetLength(1L << 40); // sparse: reading it whole ran out of memory (exit 1)

        var result = CliHarness.Run("train", "--epochs", "1", "--arch", path);

        Assert.Equal(2, result.Code);
        Assert.Equal($"error: --arch: {path}: the file is larger than 16 MB; an architecture is a short list of layers (JSON)\n", result.Error);
    }

    [Fact]
    public void A_dense_stack_is_built_in_order_and_gets_the_output_layer_added()
    {
        string model = Path.Combine(folder.Path, "m.bp");
        var result = CliHarness.Run("train", "--epochs", "2", "--format", "json", "--out", model, "--arch",
            Arch("""{"input_shape": [1, 8, 8], "layers": [{"type": "flatten"}, {"type": "dense", "units": 24}, {"type": "tanh"}, {"type": "dense", "units": 12}, {"type": "gelu"}]}"""));
        Assert.Equal(0, result.Code);
        var saved = ModelFile.Load(model);
        Assert.Equal(["flatten", "dense", "tanh", "dense", "gelu", "dense"], saved.Architecture.Select(layer => layer.Type));
        Assert.Equal([24, 64], saved.Parameters["layers.1.weight"].Shape);
        Assert.Equal([10, 12], saved.Parameters["layers.5.weight"].Shape);
    }

    [Theory]
    [InlineData(new string[0], "")]
    [InlineData(new[] { "--layers", "32" }, "note: --arch replaces --layers, which this run does not use\n")]
    [InlineData(new[] { "--activation", "tanh", "--layers", "8" }, "note: --arch replaces --layers and --activation, which this run does not use\n")]
    public void Layers_or_an_activation_given_with_arch_are_noted_as_unused(string[] flags, string expectedError)
    {
        var result = CliHarness.Run(["train", "--epochs", "1", "--format", "json", "--arch",
            Arch("""{"layers": [{"type": "dense", "units": 16}, {"type": "relu"}]}"""), .. flags]);
        Assert.Equal(0, result.Code);
        Assert.Equal(expectedError, result.Error);
    }

    [Fact]
    public void A_stack_that_already_ends_in_the_output_width_gets_no_extra_layer()
    {
        string model = Path.Combine(folder.Path, "m.bp");
        var result = CliHarness.Run("train", "--epochs", "1", "--format", "json", "--out", model, "--arch",
            Arch("""{"layers": [{"type": "dense", "units": 16}, {"type": "relu"}, {"type": "dense", "units": 10}]}"""));
        Assert.Equal(0, result.Code);
        Assert.Equal(3, ModelFile.Load(model).Architecture.Count);
    }

    [Theory]
    [InlineData("""{"layers": [{"type": "conv2d", "out_channels": 8, "kernel": 3}]}""", "layers[0]: needs image-shaped input")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 8, "kernel": 9}]}""", "layers[0].kernel: 9 is larger")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "kernel": 3}]}""", "layers[0].out_channels: is required")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "maxpool2d", "kernel": 0}]}""", "layers[0].kernel: expected an integer ≥ 1")]
    [InlineData("""{"layers": [{"type": "dropout", "p": 1}]}""", "layers[0].p")]
    [InlineData("""{"layers": [{"type": "dense"}]}""", "layers[0].units")]
    [InlineData("""{"layers": [{"type": "swish"}]}""", "unknown layer type 'swish'")]
    [InlineData("""{"input_shape": [3, 5, 5], "layers": []}""", "input_shape")]
    [InlineData("""{"layers": [""", "malformed JSON")]
    [InlineData("""{"layers": [{"type": "dense", "units": 16, "units": 4}]}""", "layers[0].units: the key is given twice, on lines 1 and 1")] // the last one won
    // A key the layer type does not take is refused, not ignored: these trained with stride 1 and with no activation.
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 4, "kernel": 3, "strides": 2}]}""",
        "layers[0]: unknown key \"strides\": conv2d takes out_channels, kernel, stride, padding")]
    [InlineData("""{"layers": [{"type": "dense", "units": 16, "activation": "relu"}]}""",
        "layers[0]: unknown key \"activation\": dense takes units; put the activation after it")]
    [InlineData("""{"layers": [{"type": "dense", "units": 16}, {"type": "relu", "slope": 0.1}]}""", "layers[1]: unknown key \"slope\": relu takes no keys but type")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "maxpool2d", "kernel": 2, "padding": 1}]}""", "layers[0]: unknown key \"padding\": maxpool2d takes kernel, stride")]
    // Sized before anything is allocated: 20,000 channels of 8×8 flatten to 1.28 million inputs for the dense layer.
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 20000, "kernel": 1}, {"type": "dense", "units": 1000}]}""",
        "layers[1]: brings the network to 1,280,")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 20000, "kernel": 1}, {"type": "conv2d", "out_channels": 60000, "kernel": 1}]}""",
        "layers[1]: brings the network to 1,200,")]
    // Activations are sized in long before anything runs: these used to wrap around an int or overflow an array length (exit 1).
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 20000}, {"type": "flatten"}]}""",
        "layers[0]: gives each sample an output of [4, 40006, 40006], more than the 16,000,000 values per sample")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 64, "kernel": 1, "padding": 5000}, {"type": "maxpool2d", "kernel": 10008}, {"type": "flatten"}]}""",
        "layers[0]: gives each sample an output of [64, 10008, 10008]")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 1, "kernel": 1, "padding": 2147483647}]}""",
        "layers[0]: gives each sample an output of [1, 4294967302, 4294967302]")]
    [InlineData("""{"input_shape": [1, 8, 8], "layers": [{"type": "conv2d", "out_channels": 128, "kernel": 1}, {"type": "conv2d", "out_channels": 1, "kernel": 1000, "padding": 2400}]}""",
        "layers[1]: it unfolds each image into 128,000,000 × 14,508,481 values")]
    public void A_bad_architecture_file_is_refused_with_the_field_named(string json, string expected)
    {
        CliHarness.AssertFails(CliHarness.Run("train", "--epochs", "1", "--arch", Arch(json)), 2, "arch.json", expected);
    }

    [Fact]
    public void An_unknown_key_of_thousands_of_characters_is_quoted_by_its_start_and_length()
    {
        string key = new('x', 5000);
        var result = CliHarness.Run("train", "--epochs", "1", "--arch", Arch($$"""{"layers": [{"type": "dense", "units": 16, "{{key}}": 1}]}"""));

        CliHarness.AssertFails(result, 2, "arch.json", $"layers[0]: unknown key \"{new string('x', 80)}… (5,000 characters)\": dense takes units");
        Assert.True(result.Error.Length < 400, $"the error line is {result.Error.Length} characters long");
    }

    [Fact]
    public void An_arch_path_that_is_a_folder_is_named_as_a_folder_not_a_missing_file()
    {
        CliHarness.AssertFails(CliHarness.Run("train", "--epochs", "1", "--arch", folder.Path), 2, $"--arch: {folder.Path} is a folder, not a file");
    }
}
