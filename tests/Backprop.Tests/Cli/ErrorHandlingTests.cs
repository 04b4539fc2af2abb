using Backprop.Tests.IO;

namespace Backprop.Tests.Cli;

/// <summary>The contract: bad usage and bad input exit 2 with one `error: ` line, and no stack trace unless --verbose.</summary>
public sealed class ErrorHandlingTests
{
    public static TheoryData<string, string, string> BadFiles() => ExplainModelFileTests.BadFiles();

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_model_file_exits_2_with_one_error_line_naming_the_field(string json, string location, string phrase)
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("model.json");
        File.WriteAllText(path, json);

        foreach (var command in new[] { "explain", "gradcheck" })
        {
            var result = CliRunner.Run(command, "--model", path);

            Assert.Equal(2, result.Code);
            Assert.Equal("", result.Out);
            string line = Assert.Single(result.ErrorLines);
            Assert.StartsWith($"error: {path}: ", line);
            Assert.Contains(location.StartsWith("model.json") ? location[("model.json: ".Length)..] : $"{location}", line);
            Assert.Contains(phrase, line);
            Assert.DoesNotContain(" at Backprop", result.Error);
        }
    }

    [Fact]
    public void A_trained_model_given_to_explain_or_gradcheck_is_named_as_such()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("m.bp");
        Backprop.IO.SafeTensors.Write(path, new Dictionary<string, Backprop.IO.SafeTensor> { ["a"] = Backprop.IO.SafeTensor.FromFloats([1, 2]) });

        foreach (var command in new[] { "explain", "gradcheck" })
        {
            var result = CliRunner.Run(command, "--model", path);

            Assert.Equal(2, result.Code);
            Assert.Equal($"error: {path}: this is a trained model (safetensors), not an explain model: explain and gradcheck read a small " +
                "network as JSON (input, target, loss, learning_rate, layers), as in examples/notebook.json", Assert.Single(result.ErrorLines));
        }
    }

    [Fact]
    public void A_missing_model_file_exits_2()
    {
        var result = CliRunner.Run("explain", "--model", "/nonexistent/model.json");

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: /nonexistent/model.json: cannot read the file", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void A_folder_given_as_the_model_is_named_as_a_folder()
    {
        using var directory = new TestFiles.TemporaryDirectory();

        foreach (var command in new[] { "explain", "gradcheck" })
        {
            var result = CliRunner.Run(command, "--model", directory.Path);

            Assert.Equal(2, result.Code);
            Assert.StartsWith($"error: {directory.Path}: this is a folder, not a file", Assert.Single(result.ErrorLines));
        }
    }

    [Theory]
    [InlineData("--model", "explain", "--model", "")]
    [InlineData("--model", "gradcheck", "--model", "")]
    [InlineData("--model", "eval", "--model", "", "--data", "d.csv")]
    [InlineData("--data", "eval", "--model", "m.bp", "--data", "")]
    [InlineData("--model", "predict", "--model", "", "--data", "d.csv")]
    [InlineData("--out", "predict", "--model", "m.bp", "--data", "d.csv", "--out", "")]
    [InlineData("--model", "export", "--model", "", "--out", "m.onnx")]
    [InlineData("--out", "export", "--model", "m.bp", "--out", "")]
    [InlineData("--data", "train", "--data", "")]
    [InlineData("--test", "train", "--data", "d.csv", "--test", "")]
    [InlineData("--arch", "train", "--arch", "")]
    [InlineData("--out", "train", "--out", "")]
    [InlineData("--plot", "train", "--plot", "")]
    [InlineData("--checkpoint", "train", "--checkpoint", "")]
    [InlineData("--resume", "train", "--resume", "")]
    public void An_empty_path_is_refused_naming_the_flag_not_in_dotnets_words(string flag, params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.Equal($"error: {flag}: the path is empty", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("explain", "--bogus")]
    [InlineData("explain", "--format", "xml")]
    [InlineData("explain", "--steps", "two")]
    [InlineData("explain", "--steps", "0")]
    [InlineData("nonsense")]
    [InlineData("gradcheck", "--model")]
    public void Bad_usage_exits_2_with_one_error_line(params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Out);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("error: --steps: '1.5' is not a whole number", "explain", "--steps", "1.5")]
    [InlineData("error: --epochs: '1e3' is not a whole number", "train", "--epochs", "1e3")]
    [InlineData("error: --test-split: 'abc' is not a number", "train", "--test-split", "abc")]
    [InlineData("error: --lr: 'abc' is not a number", "train", "--lr", "abc")] // a nullable option: 'System.Nullable`1[System.Double]'
    [InlineData("error: --patience: 'x' is not a whole number", "train", "--patience", "x")]
    [InlineData("error: --epochs: '99999999999' is out of range", "train", "--epochs", "99999999999")]
    // .NET reads 1e400 as infinity and 1e-400 as 0: the error once named "Infinity" or "0", values never typed.
    [InlineData("error: --lr: '1e400' is out of range (float32 holds 1.4e-45 to 3.4e38 in size)", "train", "--lr", "1e400")]
    [InlineData("error: --lr: '1e-400' is out of range (float32 holds 1.4e-45 to 3.4e38 in size)", "train", "--lr", "1e-400")]
    [InlineData("error: --lr: '1e39' is out of range (float32 holds 1.4e-45 to 3.4e38 in size)", "train", "--lr", "1e39")]
    [InlineData("error: --lr: 'Infinity' is not a finite number", "train", "--lr", "Infinity")]
    [InlineData("error: --weight-decay: '-1e400' is out of range (float32 holds 1.4e-45 to 3.4e38 in size)", "train", "--weight-decay", "-1e400")]
    [InlineData("error: --clip-norm: '1e400' is out of range (float32 holds 1.4e-45 to 3.4e38 in size)", "train", "--clip-norm", "1e400")]
    [InlineData("error: --test-split: 'NaN' is not a finite number", "train", "--test-split", "NaN")]
    public void A_value_of_the_wrong_kind_or_size_is_named_as_typed_without_dotnet_type_names(string expected, params string[] args)
    {
        // System.CommandLine said "as expected type 'System.Int32'".
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("error: unknown command 'trian' (one of explain, gradcheck, train, eval, predict, export; see backprop --help)", "trian", "--epochs", "2")]
    [InlineData("error: no command given (one of explain, gradcheck, train, eval, predict, export; see backprop --help)")]
    [InlineData("error: no command given (one of explain, gradcheck, train, eval, predict, export; see backprop --help)", "--verbose")]
    [InlineData("error: unknown option '--frob' before the command (one of explain, gradcheck, train, eval, predict, export; see backprop --help)", "--frob")]
    public void Without_a_known_command_the_error_names_the_word_and_the_commands(string expected, params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Out);
        Assert.Equal(expected, Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        using var directory = new TestFiles.TemporaryDirectory();
        string path = directory.File("model.json");
        File.WriteAllText(path, "{");

        var result = CliRunner.Run("explain", "--model", path, "--verbose");

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: ", result.ErrorLines[0]);
        Assert.Contains("ModelFileException", result.Error);
        Assert.Contains(" at ", result.Error);
    }

    [Fact]
    public void Help_is_not_an_error()
    {
        var result = CliRunner.Run("explain", "--help");

        Assert.Equal(0, result.Code);
        Assert.Contains("--steps", result.Out);
    }
}
