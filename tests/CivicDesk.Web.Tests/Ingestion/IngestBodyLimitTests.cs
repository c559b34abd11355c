using System.Net;
using System.Net.Http.Headers;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Ingestion;

/// <summary>Over real Kestrel and TCP: the in-memory test server buffers request bodies, which would hide the point.</summary>
public sealed class IngestBodyLimitTests
{
    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused_while_it_is_read()
    {
        using var factory = new CivicDeskFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        var org = await TestOrganisation.CreateAsync(factory);
        var client = factory.CreateClient();

        // Chunked, no Content-Length, a little over the 4 MiB limit: only reading can find out, and it does.
        var body = new CountingStream((4L * 1024 * 1024) + (256 * 1024));
        using var response = await client.SendAsync(Request(org.ApiKey, body));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("at most 4,194,304 bytes");
        response.Headers.ConnectionClose.ShouldBe(true);

        (await IngestClient.CountMessagesAsync(factory, org.Id)).ShouldBe(0);
    }

    private static HttpRequestMessage Request(string key, Stream body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, IngestClient.Path) { Content = new StreamContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Api-Key", key);
        return request;
    }

    /// <summary>A non-seekable body of spaces (valid JSON whitespace) that counts what was pulled from it.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        private long _produced;

        public long Produced => Interlocked.Read(ref _produced);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Produced; set => throw new NotSupportedException(); }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Produced);
            buffer.AsSpan(offset, n).Fill((byte)' ');
            Interlocked.Add(ref _produced, n);
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
