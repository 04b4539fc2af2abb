namespace Backprop.Explain;
public static class MarkdownRenderer { public static string Render(ExplainTrace trace) => ""; }
