# Build: everything the binary needs is compiled from source (bundled SQLite,
# bundled libpq with vendored OpenSSL, vendored Swagger UI), so the builder
# needs only the Rust toolchain, a C compiler, make and perl.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin tierlink

# Run: a small Debian with CA certificates (for TLS to PostgreSQL).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/tierlink tierlink \
    && mkdir -p /var/lib/tierlink/data \
    && chown -R tierlink /var/lib/tierlink
COPY --from=build /src/target/release/tierlink /usr/local/bin/tierlink
USER tierlink
WORKDIR /var/lib/tierlink
ENV TIERLINK_BIND=0.0.0.0:8080 \
    TIERLINK_LOG_FORMAT=json \
    SSL_CERT_DIR=/etc/ssl/certs
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["tierlink"]
CMD ["serve"]
