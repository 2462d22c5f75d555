# MyGov as a container image: a static binary (pure Go: SQLite is modernc, no cgo) on a
# distroless base, run as a non-root user.
#   docker build -t mygov .
#   docker compose up          (see compose.yaml: MyGov with PostgreSQL)
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/mygov ./cmd/mygov

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mygov /usr/local/bin/mygov
# The SQLite file, when DATABASE_URL is not set, lives in a volume the user can write.
WORKDIR /data
ENV MYGOV_ADDR=0.0.0.0:8080 MYGOV_DB=/data/mygov.db MYGOV_LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/mygov"]
CMD ["serve"]
