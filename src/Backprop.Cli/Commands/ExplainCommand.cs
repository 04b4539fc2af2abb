using System.CommandLine;
using System.Globalization;
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
            Description = "The network, input, target, loss and learning rate as JSON (default: the notebook's 3-2-1 network)",
            HelpName = "FILE.json",
        };
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
            Func<ExplainTrace, string> render = parse.GetValue(format) switch
            {
                "json" => JsonRenderer.Render,
                "markdown" => MarkdownRenderer.Render,
                "dot" => DotRenderer.Render,
                _ => TextRenderer.Render,
            };
            CheckOutputSize(explainModel, stepCount, render);
            if (LogitsNote(explainModel) is { } note) console.Error.WriteLine(note);
            console.Out.Write(render(ExplainEngine.Run(explainModel, stepCount)));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A note when the last layer squashes what a loss from logits squashes again (a sigmoid before
    /// binary_cross_entropy, or before cross_entropy): the numbers are right, the network is likely not what was meant.</summary>
    internal static string? LogitsNote(ExplainModel model) =>
        model.Loss is LossKind.BinaryCrossEntropy or LossKind.CrossEntropy && model.Layers[^1].Activation == Activation.Sigmoid
            ? $"note: {model.Loss.Name()} takes logits and applies {(model.Loss == LossKind.CrossEntropy ? "softmax" : "σ")} itself " +
              "(as PyTorch's losses do), so after the sigmoid of the last layer its outputs are squashed twice; an identity last layer is the usual choice"
            : null;

    /// <summary>The most characters explain prints: about 19,000 steps of the notebook's network as text.</summary>
    public const long MaxOutputCharacters = 100_000_000;

    // NOTE: every step is kept, and the output is built whole before it is printed; `--steps 1000000` ran out of
    // memory (exit 1). One step's output, times the steps, says beforehand whether the run would fit.
    private static void CheckOutputSize(ExplainModel model, int steps, Func<ExplainTrace, string> render)
    {
        if (steps == 1)
            return;
        long perStep = render(ExplainEngine.Run(model, 1)).Length;
        if (perStep * steps > MaxOutputCharacters)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--steps: {steps:N0} steps would print about {perStep * steps / 1e6:N0} million characters " +
                $"({perStep:N0} a step), more than explain's {MaxOutputCharacters / 1e6:N0} million; explain fewer steps, or use backprop train for long runs"));
    }
}
