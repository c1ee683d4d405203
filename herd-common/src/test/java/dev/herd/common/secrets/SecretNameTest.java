package dev.herd.common.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One rule for "this variable name holds a secret", used by the spec (env, config) and the config service. */
class SecretNameTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "DB_PASSWORD, PASSWORD",
      "github_token, TOKEN",
      "TOKEN, TOKEN",
      "TOKEN_FILE, TOKEN",
      "STRIPE_API_KEY, API_KEY",
      "apikey, APIKEY",
      "TLS_PRIVATE_KEY, PRIVATE_KEY",
      "APP_SECRET, SECRET",
      "AWS_CREDENTIALS, CREDENTIAL",
      "MAX_TOKENS, ''",
      "KEYBOARD, ''",
      "LOG_LEVEL, ''",
      "TOKENIZER_MODEL, ''"})
  void secretWords(String name, String word) {
    assertThat(SecretRules.secretWordInName(name).orElse("")).isEqualTo(word);
  }
}
