// The article's URL shortener (App Runner + DynamoDB + Go), rewritten from its
// behaviour for `make bench` to compare our Python shortener with: net/http and
// aws-sdk-go-v2's GetItem and PutItem on the same table and item shape
// (shortcode, longurl, active), against the same local DynamoDB. It is a yardstick,
// not a product: no input validation beyond what the redirect needs.
//
// Environment: PORT, TABLE_NAME, AWS_REGION, DYNAMODB_ENDPOINT_URL and credentials,
// as the bench gives our app. Built by tools/bench/go_peer.py with GO111MODULE=off
// against Debian's golang-github-aws-aws-sdk-go-v2-dev.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type app struct {
	client *dynamodb.Client
	table  string
}

// newCode is 8 hex characters, like the article's codes (ae1e31a6).
func newCode() (string, error) {
	raw := make([]byte, 4)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return hex.EncodeToString(raw), nil
}

// longURL takes the URL as the raw body (the article's `curl -d`) or as JSON
// {"url": "..."}, like our app.
func longURL(body []byte) string {
	text := strings.TrimSpace(string(body))
	if strings.HasPrefix(text, "{") {
		var payload struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(body, &payload) != nil {
			return ""
		}
		return strings.TrimSpace(payload.URL)
	}
	return text
}

func (a *app) shorten(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	url := longURL(body)
	if err != nil || url == "" {
		http.Error(w, "send a URL", http.StatusBadRequest)
		return
	}
	code, err := newCode()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, err = a.client.PutItem(r.Context(), &dynamodb.PutItemInput{
		TableName: aws.String(a.table),
		Item: map[string]types.AttributeValue{
			"shortcode": &types.AttributeValueMemberS{Value: code},
			"longurl":   &types.AttributeValueMemberS{Value: url},
			"active":    &types.AttributeValueMemberBOOL{Value: true},
		},
		ConditionExpression: aws.String("attribute_not_exists(shortcode)"),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"ShortCode": code, "ShortURL": "http://" + r.Host + "/" + code})
}

func (a *app) resolve(w http.ResponseWriter, r *http.Request, code string) {
	out, err := a.client.GetItem(r.Context(), &dynamodb.GetItemInput{
		TableName:      aws.String(a.table),
		Key:            map[string]types.AttributeValue{"shortcode": &types.AttributeValueMemberS{Value: code}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	url, found := out.Item["longurl"].(*types.AttributeValueMemberS)
	if !found {
		http.NotFound(w, r)
		return
	}
	if active, set := out.Item["active"].(*types.AttributeValueMemberBOOL); set && !active.Value {
		http.Error(w, "no longer active", http.StatusGone)
		return
	}
	// An empty body, as in the article's app (Content-Length: 0).
	w.Header().Set("Location", url.Value)
	w.WriteHeader(http.StatusFound)
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/":
		a.shorten(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/healthz":
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet && len(r.URL.Path) > 1:
		a.resolve(w, r, r.URL.Path[1:])
	default:
		http.NotFound(w, r)
	}
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	var options []func(*dynamodb.Options)
	if endpoint := os.Getenv("DYNAMODB_ENDPOINT_URL"); endpoint != "" {
		options = append(options, func(o *dynamodb.Options) {
			o.EndpointResolver = dynamodb.EndpointResolverFromURL(endpoint)
		})
	}
	handler := &app{client: dynamodb.NewFromConfig(cfg, options...), table: os.Getenv("TABLE_NAME")}
	server := &http.Server{Addr: "127.0.0.1:" + os.Getenv("PORT"), Handler: handler}
	if err := server.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
