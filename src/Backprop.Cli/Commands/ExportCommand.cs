using System.CommandLine;
using Backprop.IO.Onnx;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>`backprop export`: a saved model as ONNX, input standardisation and output softmax (or target units)
/// included, so that any ONNX runtime takes the raw inputs `predict` takes.</summary>
internal static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "A model saved by `backprop train --out`", HelpName = "MODEL", Required = true }.DashIsStandardInput();
        var output = new Option<string>("--out") { Description = "The ONNX file to write (atomically)", HelpName = "FILE.onnx", Required = true }.DashRefused("an ONNX file");

        var command = new Command("export", "Write a saved model as ONNX") { model, output };
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(output)!;
            if (Directory.Exists(outPath)) throw new UsageException($"--out: {outPath} is a folder");
            OutputPaths.RefuseInputs("--out", outPath, ("--model", parse.GetValue(model)));
            var trained = ModelFiles.Load(parse.GetValue(model)!);
            OnnxExport.Save(outPath, trained);
            console.Out.WriteLine($"wrote {outPath}: ONNX opset {OnnxExport.Opset}, {Describe(trained)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Describe(TrainedModel model)
    {
        string input = $"{OnnxExport.InputName} [N, {string.Join(", ", OnnxExport.SampleInputShape(model))}]";
        return model.Task == Data.TaskKind.Classification
            ? $"{input} -> {OnnxExport.ProbabilitiesName} [N, {model.OutputWidth}]"
            : $"{input} -> {OnnxExport.ValueName} [N, 1]";
    }
}
