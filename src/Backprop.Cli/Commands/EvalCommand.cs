using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Cli.Training;
using Backprop.Data;
using Backprop.IO;
using Backprop.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Backprop.Cli.Commands;

/// <summary>`backprop eval`: a saved model's metrics on labelled data; in text, also the confusion matrix and
/// per-class precision and recall.</summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "A model saved by `backprop train --out`", HelpName = "MODEL", Required = true }.DashIsStandardInput();
        var data = new Option<string>("--data") { Description = "A CSV file, or an IDX folder (its t10k files are used)", HelpName = "PATH", Required = true }.DashIsStandardInput();
        var target = new Option<string?>("--target")
        {
            Description = "The CSV target column (default: the column the model was trained to predict; for a model that names none, the one column that is not a model feature, else the last)",
            HelpName = "COLUMN",
        };
        var format = new Option<string>("--format") { Description = "text (metrics and tables) or json (one object)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("eval", "Evaluate a saved model on labelled data") { model, data, target, format };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!, dataPath = parse.GetValue(data)!;
            PathOptions.RefuseSharedStandardInput(("--model", modelPath), ("--data", dataPath));
            var trained = ModelFiles.Load(modelPath);
            var dataSet = DataSources.LoadForModel(dataPath, trained, parse.GetValue(target), targetOptional: false);
            var evaluation = trained.Evaluate(dataSet);
            if (OverflowNote.For(evaluation) is { } note) console.Error.WriteLine(note);
            if (parse.GetValue(format) == "json")
                console.Out.WriteLine(Json(evaluation, trained.Task).ToJsonString());
            else
                WriteText(console.Ansi(), modelPath, dataPath, trained, evaluation);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The contract's object: accuracy/loss/samples, or rmse/mae/r2/samples.</summary>
    /// <remarks>JSON has no NaN or infinity: a metric that is not finite (R² of a constant target, a loss whose
    /// outputs overflowed) is null.</remarks>
    public static JsonObject Json(Evaluation evaluation, TaskKind task) => task == TaskKind.Classification
        ? new JsonObject { ["accuracy"] = evaluation.Accuracy, ["loss"] = Finite(evaluation.Loss), ["samples"] = evaluation.Samples }
        : new JsonObject
        {
            ["rmse"] = Finite(evaluation.Rmse),
            ["mae"] = Finite(evaluation.Mae),
            ["r2"] = Finite(evaluation.R2),
            ["samples"] = evaluation.Samples,
        };

    private static double? Finite(double? value) => value is { } number && double.IsFinite(number) ? number : null;

    private static void WriteText(IAnsiConsole ansi, string modelPath, string dataPath, TrainedModel model, Evaluation evaluation)
    {
        if (model.Task != TaskKind.Classification)
        {
            ansi.WriteLine($"{modelPath} on {dataPath}: {evaluation.Samples} samples, regression");
            ansi.WriteLine(Invariant($"RMSE {evaluation.Rmse:G6}  MAE {evaluation.Mae:G6}  R² {RSquared(evaluation)}"));
            return;
        }

        string[] classes = model.ClassNames!;
        ansi.WriteLine($"{modelPath} on {dataPath}: {evaluation.Samples} samples, {classes.Length} classes");
        ansi.WriteLine(Invariant($"accuracy {evaluation.Accuracy:P2} ({Correct(evaluation)}/{evaluation.Samples})  loss {evaluation.Loss:F4}"));
        if (evaluation.UnpredictedCount > 0)
            ansi.WriteLine($"{evaluation.UnpredictedCount} samples got no prediction (their outputs overflowed); they are in no cell of the matrix");
        ansi.WriteLine();
        var matrix = classes.Length <= MaxMatrixClasses ? ConfusionTable(classes, evaluation.ConfusionMatrix!) : null;
        if (matrix is not null && FitsWithoutBreakingWords(ansi, matrix))
            ansi.Write(matrix);
        else
        {
            string intro = $"The confusion matrix of {classes.Length} classes is too wide to show; ";
            if (TopConfusions(classes, evaluation.ConfusionMatrix!) is { } confusions)
            {
                ansi.WriteLine(intro + "its largest counts off the diagonal:");
                ansi.Write(confusions);
            }
            else
                ansi.WriteLine(intro + "nothing is off its diagonal: no sample was predicted as another class.");
        }
        ansi.WriteLine();
        ansi.Write(PerClassTable(classes, evaluation));
    }

    // NOTE: a matrix of more classes does not fit a terminal (or the 200 columns written to a pipe): Spectre drew
    // only "…" for 500 classes. The most frequent confusions say what the matrix would have said.
    internal const int MaxMatrixClasses = 30;
    private const int TopConfusionCount = 10;

    // NOTE: a table wider than the console squeezes its columns until words break: 30 classes of 5-digit counts (or of
    // long labels) printed a count of 12445 as '124' over '45', and every label as 'ver…'. Such a matrix is not shown.
    private static bool FitsWithoutBreakingWords(IAnsiConsole ansi, Table table)
    {
        int width = ansi.Profile.Width;
        return ((IRenderable)table).Measure(RenderOptions.Create(ansi), width).Min <= width;
    }

    /// <summary>The largest counts off the diagonal; null where there are none, rather than a table of no rows.</summary>
    private static Table? TopConfusions(string[] classes, int[,] confusion)
    {
        var pairs = new List<(int Actual, int Predicted, int Count)>();
        for (int actual = 0; actual < classes.Length; actual++)
            for (int predicted = 0; predicted < classes.Length; predicted++)
                if (actual != predicted && confusion[actual, predicted] > 0) pairs.Add((actual, predicted, confusion[actual, predicted]));
        if (pairs.Count == 0) return null;
        var table = new Table().Title("most frequent confusions");
        table.AddColumn("true label");
        table.AddColumn("predicted");
        table.AddColumn(new TableColumn("samples").RightAligned());
        foreach (var (actual, predicted, count) in pairs.OrderByDescending(pair => pair.Count).ThenBy(pair => pair.Actual).ThenBy(pair => pair.Predicted).Take(TopConfusionCount))
            table.AddRow(Cell(classes[actual]), Cell(classes[predicted]), count.ToString(CultureInfo.InvariantCulture));
        return table;
    }

    /// <summary>Rows are the true labels, columns the predictions; the diagonal counts the right answers.</summary>
    private static Table ConfusionTable(string[] classes, int[,] confusion)
    {
        // NOTE: the title is no wider than a table of three classes: Spectre wraps a title to the table's width, and
        // "(rows: true label, columns: predicted)" broke mid-phrase over two lines; the corner cell says the same.
        var table = new Table().Title("confusion matrix");
        table.AddColumn(new TableColumn("true \\ predicted"));
        foreach (var label in classes) table.AddColumn(new TableColumn(Cell(label)).RightAligned());
        for (int actual = 0; actual < classes.Length; actual++)
        {
            var cells = new List<string> { Cell(classes[actual]) };
            for (int predicted = 0; predicted < classes.Length; predicted++)
            {
                string count = confusion[actual, predicted].ToString(CultureInfo.InvariantCulture);
                cells.Add(predicted == actual ? $"[bold green]{count}[/]" : confusion[actual, predicted] == 0 ? $"[dim]{count}[/]" : $"[red]{count}[/]");
            }
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    private static Table PerClassTable(string[] classes, Evaluation evaluation)
    {
        var precision = evaluation.Precision();
        var recall = evaluation.Recall();
        var confusion = evaluation.ConfusionMatrix!;
        var table = new Table().Title("per class");
        table.AddColumn("label");
        table.AddColumn(new TableColumn("precision").RightAligned());
        table.AddColumn(new TableColumn("recall").RightAligned());
        table.AddColumn(new TableColumn("samples").RightAligned());
        for (int c = 0; c < classes.Length; c++)
        {
            // Samples whose outputs overflowed are in no cell of the matrix but are still samples of their class, and
            // recall counts them: leaving them out made a class of 4 samples, 2 found, read 'recall 0.5 of 2 samples'.
            int support = evaluation.Unpredicted?[c] ?? 0;
            for (int predicted = 0; predicted < classes.Length; predicted++) support += confusion[c, predicted];
            table.AddRow(Cell(classes[c]), Ratio(precision[c]), Ratio(recall[c]), support.ToString(CultureInfo.InvariantCulture));
        }
        return table;
    }

    private static string RSquared(Evaluation evaluation) => RegressionText.RSquared(evaluation.R2, evaluation.Rmse);

    // NaN: the class was never predicted (precision) or never present (recall).
    private static string Ratio(double value) => double.IsNaN(value) ? "–" : value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>A label as a table cell: its markup characters (`[red]`) escaped, and its control characters shown as
    /// escapes, since a line break split its row in two and an escape sequence reached the terminal as a command.</summary>
    internal static string Cell(string label)
    {
        var visible = new System.Text.StringBuilder(label.Length);
        foreach (char c in label)
        {
            if (!char.IsControl(c)) visible.Append(c);
            else visible.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\u{(int)c:x4}" });
        }
        return Markup.Escape(visible.ToString());
    }

    private static int Correct(Evaluation evaluation)
    {
        var confusion = evaluation.ConfusionMatrix!;
        int correct = 0;
        for (int c = 0; c < confusion.GetLength(0); c++) correct += confusion[c, c];
        return correct;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
