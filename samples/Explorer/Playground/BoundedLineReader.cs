using System.Text;

namespace SymbolicGrad.Explorer.Playground;

/// <summary>
/// Reads UTF-8 lines from a worker's pipe without ever holding more than <see cref="MaxLineBytes"/> of one line:
/// <see cref="StreamReader.ReadLineAsync()"/> buffers a line of any length, so a worker that wrote a gigabyte without a
/// newline made the server hold a gigabyte (and more, as UTF-16). Counts every byte it reads, so that the caller can
/// bound the total per job.
/// </summary>
public sealed class BoundedLineReader(Stream stream, int maxLineBytes)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;
    private long _bytesRead;

    /// <summary>The longest line kept, in bytes.</summary>
    public int MaxLineBytes { get; } = maxLineBytes;

    /// <summary>Bytes read from the stream so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>
    /// The next line (without its newline), or null at the end of the stream. A longer line than
    /// <see cref="MaxLineBytes"/>: with <paramref name="truncate"/>, its first <see cref="MaxLineBytes"/> bytes (the rest,
    /// up to its newline, is read and dropped) and <c>Dropped</c> the bytes dropped; without, the line is abandoned at
    /// once and <c>TooLong</c> is true (the stream is then left in the middle of that line). Once
    /// <see cref="BytesRead"/> passes <paramref name="limit"/> (asked after every read), the call returns at once with
    /// <c>TooLong</c> true, in the middle of a line or not.
    /// </summary>
    public async Task<(string? Line, bool TooLong, long Dropped)> ReadLineAsync(bool truncate, Func<long>? limit = null)
    {
        _line.SetLength(0);
        if (_line.Capacity > 1 << 20)
        {
            _line.Capacity = 64 * 1024; // do not keep the buffer of a long line
        }

        long dropped = 0;
        while (true)
        {
            if (_start == _end)
            {
                int n = await stream.ReadAsync(_buffer);
                if (n == 0)
                {
                    if (_line.Length == 0 && dropped == 0)
                    {
                        return (null, false, 0);
                    }

                    return (Decode(), false, dropped);
                }

                Interlocked.Add(ref _bytesRead, n);
                _start = 0;
                _end = n;
                if (limit is not null && BytesRead > limit())
                {
                    _start = _end; // drop this chunk
                    return (null, true, 0);
                }
            }

            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int chunkEnd = newline < 0 ? _end : newline;
            int chunk = chunkEnd - _start;
            int room = MaxLineBytes - (int)_line.Length;
            if (chunk <= room)
            {
                _line.Write(_buffer, _start, chunk);
            }
            else
            {
                if (!truncate)
                {
                    _start = chunkEnd;
                    return (null, true, 0);
                }

                _line.Write(_buffer, _start, Math.Max(0, room));
                dropped += chunk - Math.Max(0, room);
            }

            _start = chunkEnd;
            if (newline >= 0)
            {
                _start++; // the newline
                return (Decode(), false, dropped);
            }
        }
    }

    private string Decode()
    {
        var bytes = _line.GetBuffer().AsSpan(0, (int)_line.Length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
