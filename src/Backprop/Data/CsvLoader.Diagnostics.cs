using System.Buffers;
using System.Text;

namespace Backprop.Data;

// What is wrong with a file the CSV parser could not read: bytes that are not UTF-8, a quoted field not closed properly.
public static partial class CsvLoader
{
    static DataFormatException NotUtf8(string source, int? line, byte[]? bytes, Exception inner)
    {
        string held = bytes is null or [] ? "bytes" : bytes.Length == 1 ? $"the byte 0x{bytes[0]:X2}"
            : "the bytes " + string.Join(" ", bytes.Select(b => $"0x{b:X2}"));
        return new DataFormatException(source, line, null, null,
            $"the file is not UTF-8 text (it holds {held}, which UTF-8 does not allow here); save it as UTF-8", inner);
    }

    /// <summary>Reads <paramref name="stream"/> from where it stands, which is 1-based line <paramref name="line"/>.</summary>
    /// <returns>The 1-based line of the first byte sequence that is not UTF-8, and its bytes; null when there is none.</returns>
    static (int? Line, byte[] Bytes)? FirstNonUtf8(Stream stream, int line)
    {
        var buffer = new byte[1 << 16];
        int carried = 0;
        while (true)
        {
            int read = stream.Read(buffer, carried, buffer.Length - carried);
            int length = carried + read, position = 0;
            while (position < length)
            {
                OperationStatus status = Rune.DecodeFromUtf8(buffer.AsSpan(position, length - position), out Rune rune, out int used);
                if (status == OperationStatus.NeedMoreData && read > 0) break;  // a character split between blocks
                if (status != OperationStatus.Done) return (line, buffer[position..(position + used)]);
                if (rune.Value == '\n') line++;
                position += used;
            }
            if (read == 0) return null;
            carried = length - position;
            Array.Copy(buffer, position, buffer, 0, carried);
        }
    }

    /// <summary>
    /// The first quoted field of the record at the start of <paramref name="text"/> that is not closed properly: text after
    /// its closing quote, or (when <paramref name="toEnd"/> says the text runs to the end of the input) no closing quote.
    /// </summary>
    /// <param name="line">The 1-based line <paramref name="text"/> starts on.</param>
    static (int Line, int Field, string Text, string What)? QuotingProblem(string text, int line, bool toEnd)
    {
        char[] stops = [',', '\r', '\n'];
        int position = 0;
        for (int field = 0; ; field++)
        {
            if (position < text.Length && text[position] == '"')
            {
                int start = position, startLine = line;
                while (true)
                {
                    int quote = text.IndexOf('"', position + 1);
                    if (quote < 0)
                    {
                        if (!toEnd) return null;  // the closing quote may lie beyond the text kept
                        int lineEnd = text.IndexOfAny(['\r', '\n'], start);
                        return (startLine, field, text[start..(lineEnd < 0 ? text.Length : lineEnd)],
                            "a quoted field has no closing quote (it runs to the end of the file)");
                    }
                    line += text.AsSpan(position, quote - position).Count('\n');
                    position = quote + 1;
                    if (position < text.Length && text[position] == '"') continue;  // "" is a quote inside the field
                    break;
                }
                if (position < text.Length && Array.IndexOf(stops, text[position]) < 0)
                {
                    int end = text.IndexOfAny(stops, position);
                    return (line, field, text[start..(end < 0 ? text.Length : end)],
                        $"text after the closing quote of a quoted field ('{text[start..(end < 0 ? text.Length : end)]}'); " +
                        "a comma or the end of the line must follow it");
                }
            }
            else
            {
                int end = text.IndexOfAny(stops, position);
                position = end < 0 ? text.Length : end;
            }
            if (position >= text.Length || text[position] != ',') return null;  // the record ends with nothing wrong found
            position++;
        }
    }
}
