using System.CommandLine;
using Backprop.Explain;
using Backprop.IO;
using Backprop.Nn;

namespace Backprop.Cli.Commands;

/// <summary>`backprop explain [--model FILE.json] [--format text|json|markdown|dot] [--steps N]`.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string?>("--model")
        {
            Description = "The network, input, target, loss and learning rate as JSON (default: the notebook's 3-2-1 network; format: docs/how-backprop-works.md)",
            HelpName = "FILE.json",
        }.DashIsStandardInput();
        var format = new Option<string>("--format")
        {
            Description = "How to print the step",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "markdown", "dot");
        var steps = new Option<int>("--steps")
        {
            Description = "Explain N SGD steps, each from the previous step's updated parameters",
            DefaultValueFactory = _ => 1,
            HelpName = "N",
        };

        var command = new Command("explain", "One training step of a small network, every number shown: forward, loss, chain rule, update")
        {
            model, format, steps,
        };
        command.SetAction(parse =>
        {
            int stepCount = parse.GetValue(steps);
            if (stepCount < 1) throw new UsageException($"--steps must be at least 1, got {stepCount}");
            string? path = parse.GetValue(model);
            var explainModel = path is null ? ExplainModelFile.Notebook() : ExplainModelFile.Load(path);
            ExplainWriter write = parse.GetValue(format) switch
            {
                "json" => JsonRenderer.Write,
                "markdown" => MarkdownRenderer.Write,
                "dot" => DotRenderer.Write,
                _ => TextRenderer.Write,
            };
            if (LogitsNote(explainModel) is { } note) console.Error.WriteLine(note);
            // Each step is printed as it is computed and then let go, so `--steps 1000000` runs in the memory of one step.
            write(console.Out, UntilReaderGone(ExplainEngine.Steps(explainModel, stepCount), console.Out), stepCount);
            return ExitCodes.Success;
        });
        return command;
    }

    // NOTE: `explain --steps 100000 | head -1` computed every step for a reader that had left; the steps stop with it.
    private static IEnumerable<StepTrace> UntilReaderGone(IEnumerable<StepTrace> steps, TextWriter output)
    {
        foreach (var step in steps)
        {
            if (output is StandardOutput { ReaderGone: true }) yield break;
            yield return step;
        }
    }

    /// <summary>A note when the last layer squashes what a loss from logits squashes again (a sigmoid before
    /// binary_cross_entropy, or before cross_entropy): the numbers are right, the network is likely not what was meant.</summary>
    internal static string? LogitsNote(ExplainModel model) =>
        model.Loss is LossKind.BinaryCrossEntropy or LossKind.CrossEntropy && model.Layers[^1].Activation == Activation.Sigmoid
            ? $"note: {model.Loss.Name()} takes logits and applies {(model.Loss == LossKind.CrossEntropy ? "softmax" : "σ")} itself " +
              "(as PyTorch's losses do), so after the sigmoid of the last layer its outputs are squashed twice; an identity last layer is the usual choice"
            : null;
}
